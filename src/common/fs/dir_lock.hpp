// DirLock: an exclusive advisory lock (flock) on "<dir>/LOCK" held for the object's
// lifetime, so a second process cannot use the same data directory. The kernel drops the
// lock when the process dies, so a SIGKILL never leaves a stale lock behind. The file holds
// the holder's pid, so tools can find the process that owns a data directory.
#pragma once

#include <string>

#include "common/fs/unique_fd.hpp"
#include "common/result.hpp"

namespace common::fs {

class DirLock {
 public:
  // Locks `dir` and records this process's pid; kConflict when another process holds it.
  [[nodiscard]] static Result<DirLock> acquire(const std::string& dir);
  // Pid of the process holding the lock on `dir`; kNotFound when none does.
  [[nodiscard]] static Result<int> holder(const std::string& dir);

 private:
  explicit DirLock(UniqueFd fd) : fd_(std::move(fd)) {}
  UniqueFd fd_;
};

}  // namespace common::fs
