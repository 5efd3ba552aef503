#include "common/fs/dir_lock.hpp"

#include <fcntl.h>
#include <sys/file.h>

#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <string>

#include "common/fs/file_ops.hpp"
#include "common/fs/posix_error.hpp"

namespace common::fs {

Result<DirLock> DirLock::acquire(const std::string& dir) {
  const std::string path = dir + "/LOCK";
  auto fd = open_file(path, O_RDWR | O_CREAT, 0644);
  if (!fd) return fail(fd.error());
  if (::flock(fd->get(), LOCK_EX | LOCK_NB) != 0) {
    if (errno == EWOULDBLOCK) {
      return fail(ErrorCode::kConflict, "data directory is in use by another process", dir);
    }
    return fail(posix_error("flock", path, errno));
  }
  const auto pid = std::to_string(::getpid()) + "\n";
  if (::ftruncate(fd->get(), 0) != 0 || ::pwrite(fd->get(), pid.data(), pid.size(), 0) < 0) {
    return fail(posix_error("write", path, errno));
  }
  return DirLock(std::move(*fd));
}

Result<int> DirLock::holder(const std::string& dir) {
  const std::string path = dir + "/LOCK";
  auto fd = open_file(path, O_RDONLY);
  if (!fd) return fail(ErrorCode::kNotFound, "no process holds the data directory", dir);
  // If we can take the lock ourselves, nobody holds it.
  if (::flock(fd->get(), LOCK_SH | LOCK_NB) == 0) {
    return fail(ErrorCode::kNotFound, "no process holds the data directory", dir);
  }
  auto text = read_file(path);
  if (!text) return fail(text.error());
  const int pid = std::atoi(text->c_str());
  if (pid <= 0) return fail(ErrorCode::kNotFound, "lock file holds no pid", path);
  return pid;
}

}  // namespace common::fs
