// Logger: the spdlog logger every component receives through its constructor (there is no
// global logger). make_logger() builds one writing to stderr. spdlog loggers are
// thread-safe.
#pragma once

#include <spdlog/logger.h>

#include <memory>
#include <string>
#include <string_view>

#include "common/result.hpp"

namespace common::log {

using Logger = std::shared_ptr<spdlog::logger>;

// A logger named `name` writing to stderr at `level` ("trace" … "off"); kInvalidArgument
// for an unknown level.
[[nodiscard]] Result<Logger> make_logger(std::string name, std::string_view level);

// A logger that discards everything (tests, benchmarks).
Logger null_logger();

}  // namespace common::log
