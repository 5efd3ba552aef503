// ParsedDocument: a management write's document as ResourceService parsed it, shared by the
// service's translation units (resource_service.cpp, resource_secrets.cpp); not part of the
// service's interface.
#pragma once

#include <optional>
#include <string>

#include "groundcontrol/model/object_meta.hpp"
#include "groundcontrol/model/registry_endpoint.hpp"
#include "groundcontrol/model/satellite_config.hpp"

namespace groundcontrol::service {

struct ParsedDocument {
  model::ObjectMeta meta;
  std::string spec;
  std::optional<model::SatelliteConfigSpec> config;     // a SatelliteConfig's, password included
  std::optional<model::RegistryEndpointSpec> endpoint;  // a RegistryEndpoint's, likewise
  bool has_password_field() const { return config.has_value() || endpoint.has_value(); }
};

}  // namespace groundcontrol::service
