// RFC 3339 timestamps in UTC ("2026-12-01T23:56:17Z"), the form every API document and
// stored row uses, so that text order is time order. Pure functions.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "common/result.hpp"

namespace common {

// Whole seconds, UTC, with a 'Z'.
[[nodiscard]] std::string format_rfc3339(std::chrono::system_clock::time_point time);
// Reads "YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)"; kInvalidArgument otherwise.
[[nodiscard]] Result<std::chrono::system_clock::time_point> parse_rfc3339(std::string_view text);

}  // namespace common
