// DirLock: an exclusive advisory lock (flock) on "<dir>/LOCK" held for the object's
// lifetime, so a second process cannot use the same data directory. The kernel drops the
// lock when the process dies, so a SIGKILL never leaves a stale lock behind.
#pragma once

#include <string>

#include "common/fs/unique_fd.hpp"
#include "common/result.hpp"

namespace common::fs {

class DirLock {
 public:
  // Locks `dir`; kConflict when another process holds it.
  [[nodiscard]] static Result<DirLock> acquire(const std::string& dir);

 private:
  explicit DirLock(UniqueFd fd) : fd_(std::move(fd)) {}
  UniqueFd fd_;
};

}  // namespace common::fs
