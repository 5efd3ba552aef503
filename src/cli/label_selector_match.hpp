// LabelSelectorMatch: whether a structured label selector ({matchLabels, matchExpressions}
// with In, NotIn, Exists, DoesNotExist, as a Group's spec.selector holds it) matches a set
// of labels; an empty selector matches everything, as ground control's does. Used by
// `gcctl state` to find a satellite's groups. Pure function; thread-safe.
#pragma once

#include <nlohmann/json.hpp>

namespace cli {

// Whether `selector` matches `labels` (a JSON object of strings).
[[nodiscard]] bool selector_matches(const nlohmann::json& selector, const nlohmann::json& labels);

}  // namespace cli
