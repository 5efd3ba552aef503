// The wire form of a stored resource: apiVersion, kind, metadata, spec, status; and of a
// list: {apiVersion, kind: <Kind>List, metadata: {resourceVersion, continue}, items}.
// Pure functions.
#pragma once

#include <nlohmann/json_fwd.hpp>

#include "groundcontrol/service/resource_service.hpp"
#include "groundcontrol/store/resource_store.hpp"

namespace groundcontrol::api {

nlohmann::json resource_json(const store::Resource& resource);
nlohmann::json list_json(std::string_view kind, const service::ListResult& list);

}  // namespace groundcontrol::api
