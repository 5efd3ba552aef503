// Validation of the names and labels that ground control's resources carry. Names of
// satellites, groups and configs are DNS-1123 labels, because they become certificate
// names, SPIFFE path segments, NATS subject tokens and repository path components. Label
// keys and values follow Kubernetes' rules, so selectors written for kubectl read the same.
// Pure functions.
#pragma once

#include <string_view>

#include "common/result.hpp"

namespace groundcontrol::model {

inline constexpr std::size_t kMaxNameLength = 63;

// A DNS-1123 label: 1 to 63 of [a-z0-9-], starting and ending alphanumeric. kInvalidArgument
// naming `field` and the rule otherwise.
[[nodiscard]] common::Status validate_name(std::string_view name, std::string_view field);

// A label key: an optional DNS-1123 subdomain prefix (≤ 253) and '/', then a name of 1 to 63
// of [A-Za-z0-9._-] starting and ending alphanumeric. kInvalidArgument naming `field`.
[[nodiscard]] common::Status validate_label_key(std::string_view key, std::string_view field);

// A label value: empty, or 1 to 63 of [A-Za-z0-9._-] starting and ending alphanumeric.
// kInvalidArgument naming `field`.
[[nodiscard]] common::Status validate_label_value(std::string_view value, std::string_view field);

}  // namespace groundcontrol::model
