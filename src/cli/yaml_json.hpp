// YAML ⇄ JSON for gcctl: the API speaks JSON, people write and read YAML. A plain YAML
// scalar becomes null, a boolean, an integer or a number when it reads as one (YAML 1.2's
// core schema) and a string otherwise; a quoted scalar is always a string. Written YAML
// quotes every string that would read back as something else, and writes multi-line
// strings (PEM) as literal blocks, so yaml_from_json then json_from_yaml is the identity.
// Pure functions; thread-safe.
#pragma once

#include <yaml-cpp/yaml.h>

#include <nlohmann/json.hpp>
#include <string>

namespace cli {

// The JSON value of a parsed YAML node (a map's keys are taken as strings).
[[nodiscard]] nlohmann::json json_from_yaml(const YAML::Node& node);

// `value` as a block-style YAML document, ending in a newline.
[[nodiscard]] std::string yaml_from_json(const nlohmann::json& value);

}  // namespace cli
