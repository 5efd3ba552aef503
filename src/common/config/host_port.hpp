// HostPort: a listen or dial address given as "host:port", "[v6]:port" or ":port".
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/result.hpp"

namespace common::config {

struct HostPort {
  std::string host;  // without brackets; "0.0.0.0" for ":port"
  std::uint16_t port = 0;
};

// kInvalidArgument for a missing or out-of-range port.
[[nodiscard]] Result<HostPort> parse_host_port(std::string_view text);

}  // namespace common::config
