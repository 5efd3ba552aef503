#include "groundcontrol/api/external_trust.hpp"

#include "groundcontrol/model/names.hpp"

namespace groundcontrol::api {

std::optional<std::string> ExternalTrust::satellite_named(std::string_view spiffe_id) const {
  if (spiffe_prefix.empty() || !spiffe_id.starts_with(spiffe_prefix)) return std::nullopt;
  const auto name = spiffe_id.substr(spiffe_prefix.size());
  if (!model::validate_name(name, "satellite")) return std::nullopt;
  return std::string(name);
}

}  // namespace groundcontrol::api
