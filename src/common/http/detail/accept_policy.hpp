// The accept loop's policy, for server.cpp: how many connections the descriptor limit allows,
// and how an accept that fails for want of descriptors or memory backs off. Pure functions.
#pragma once

#include <boost/system/error_code.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>

namespace common::http::detail {

// Each connection holds a socket and, while it serves or receives a blob, a file: connections
// may use all descriptors but a reserve for listeners, event loops, SQLite, blob files and
// logs, and at least half of them when the limit is too small for the reserve. At least 1.
std::size_t connections_within(std::uint64_t fd_limit);

// Out of descriptors (or kernel memory), accept() fails at once for as long as a client
// waits in the backlog: retrying at once spins a core and floods the log. True for those.
bool worth_backing_off(const boost::system::error_code& ec);

// The wait after `failures` accepts in a row failed so: 10 ms doubling up to 1 s, so a freed
// descriptor is used soon and a long shortage costs one wake-up a second.
std::chrono::milliseconds backoff_delay(std::size_t failures);

}  // namespace common::http::detail
