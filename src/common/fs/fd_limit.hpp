// The process's open-file limit (RLIMIT_NOFILE). Every socket, blob file and SQLite handle
// counts against it, so a server sizes its connection cap from it. The limit is
// process-wide state: raising it belongs to a process's startup (main, a command), not to a
// library component that another process might embed.
// Thread-safety: getrlimit/setrlimit are atomic system calls; call raise at startup.
#pragma once

#include <cstdint>

#include "common/result.hpp"

namespace common::fs {

struct FdLimit {
  std::uint64_t soft;  // what open()/accept() are held to; RLIM_INFINITY is reported as is
  std::uint64_t hard;  // the ceiling an unprivileged process may raise `soft` to
};

// The current limit; kInternal if getrlimit fails.
[[nodiscard]] Result<FdLimit> fd_limit();

// Raises the soft limit to the hard limit and returns the new limit (unchanged when it was
// already there); kInternal if setrlimit fails.
[[nodiscard]] Result<FdLimit> raise_fd_limit();

}  // namespace common::fs
