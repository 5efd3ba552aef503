#include "groundcontrol/api/resource_json.hpp"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "groundcontrol/model/kind.hpp"

namespace groundcontrol::api {

using nlohmann::json;

json resource_json(const store::Resource& r) {
  auto spec = json::parse(r.spec, nullptr, false);
  auto status = json::parse(r.status, nullptr, false);
  return {{"apiVersion", model::kApiVersion},
          {"kind", r.kind},
          {"metadata", model::to_json(r.meta)},
          {"spec", spec.is_discarded() ? json::object() : spec},
          {"status", status.is_discarded() ? json::object() : status}};
}

json list_json(std::string_view kind, const service::ListResult& list) {
  json items = json::array();
  for (const auto& item : list.items) items.push_back(resource_json(item));
  json metadata = {{"resourceVersion", std::to_string(list.revision)}};
  if (!list.continue_token.empty()) metadata["continue"] = list.continue_token;
  return {{"apiVersion", model::kApiVersion},
          {"kind", fmt::format("{}List", kind)},
          {"metadata", std::move(metadata)},
          {"items", std::move(items)}};
}

}  // namespace groundcontrol::api
