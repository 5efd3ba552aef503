// ResourceDiff: what applying a document would change in the resource ground control
// holds: labels compared exactly, annotations and spec as "the document's fields hold
// these values" (a field the document leaves out keeps the server's value or default,
// and the server may order lists its own way, so a list matches when each item the
// document lists matches one of the server's). One line per difference, e.g.
// `~ spec.heartbeatInterval: "60s" -> "30s"`, `+ metadata.labels.env: "prod"`,
// `- metadata.labels.old`. Pure functions; thread-safe.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace cli {

// The changes applying `desired` to `live` makes; empty when it changes nothing.
[[nodiscard]] std::vector<std::string> resource_changes(const nlohmann::json& desired,
                                                        const nlohmann::json& live);

// Whether every field `desired` sets holds the same value in `live` (lists as above).
[[nodiscard]] bool holds(const nlohmann::json& desired, const nlohmann::json& live);

}  // namespace cli
