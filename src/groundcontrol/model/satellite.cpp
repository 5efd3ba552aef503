#include "groundcontrol/model/satellite.hpp"

#include <nlohmann/json.hpp>

#include "groundcontrol/model/json_fields.hpp"
#include "groundcontrol/model/names.hpp"

namespace groundcontrol::model {

common::Result<SatelliteSpec> parse_satellite_spec(const nlohmann::json* value) {
  SatelliteSpec spec;
  if (value == nullptr) return spec;
  auto fields = JsonFields::open(*value, "spec");
  if (!fields) return common::fail(fields.error());
  auto config = fields->text("config", spec.config);
  if (!config) return common::fail(config.error());
  if (auto ok = validate_name(*config, "spec.config"); !ok) return common::fail(ok.error());
  spec.config = std::move(*config);
  if (auto ok = fields->finish(); !ok) return common::fail(ok.error());
  return spec;
}

nlohmann::json to_json(const SatelliteSpec& spec) {
  return {{"config", spec.config}};
}

}  // namespace groundcontrol::model
