// Satellite: one edge site's registry and agent as the management API shows it. The spec
// says which SatelliteConfig it follows; its groups are not in the spec (membership is set
// on groups) but resolved into its status. Plain value type and its JSON codec.
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <string>

#include "common/result.hpp"

namespace groundcontrol::model {

inline constexpr std::string_view kDefaultConfigName = "default";

struct SatelliteSpec {
  std::string config = std::string(kDefaultConfigName);  // a SatelliteConfig's name
};

// Reads `spec` of a Satellite (absent: defaults); kInvalidArgument naming the field.
[[nodiscard]] common::Result<SatelliteSpec> parse_satellite_spec(const nlohmann::json* value);
nlohmann::json to_json(const SatelliteSpec& spec);

}  // namespace groundcontrol::model
