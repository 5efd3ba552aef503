// Validation of the OCI distribution-spec's name grammar for repositories and tags.
// A name that passes contains only [a-z0-9._/-] with no empty, "." or ".." components,
// so it can never address a path outside the data directory. Pure functions.
#pragma once

#include <string_view>

#include "common/result.hpp"

namespace common::oci {

// Longest repository name accepted (distribution's limit).
inline constexpr std::size_t kMaxRepositoryNameLength = 255;

// `[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*(\/[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*)*`; kNameInvalid
// otherwise.
[[nodiscard]] Status validate_repository_name(std::string_view name);

// `[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}`.
[[nodiscard]] bool is_valid_tag(std::string_view tag) noexcept;

}  // namespace common::oci
