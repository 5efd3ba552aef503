#include "common/fs/dir_lock.hpp"

#include <fcntl.h>
#include <sys/file.h>

#include <cerrno>

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
  return DirLock(std::move(*fd));
}

}  // namespace common::fs
