// Parsing of human-written durations and sizes in flags and config files:
// "90s", "15m", "1h", "2d" or plain seconds; "512", "64K", "8M", "8MiB", "1G".
#pragma once

#include <chrono>
#include <cstdint>
#include <string_view>

#include "common/result.hpp"

namespace common::config {

// kInvalidArgument for anything else (negative, overflow, unknown unit).
[[nodiscard]] Result<std::chrono::seconds> parse_duration(std::string_view text);
[[nodiscard]] Result<std::uint64_t> parse_size(std::string_view text);

}  // namespace common::config
