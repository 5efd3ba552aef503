#include "common/fs/fd_limit.hpp"

#include <sys/resource.h>

#include <cerrno>

#include "common/fs/posix_error.hpp"

namespace common::fs {

Result<FdLimit> fd_limit() {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0)
    return fail(posix_error("getrlimit(RLIMIT_NOFILE)", "", errno));
  return FdLimit{limit.rlim_cur, limit.rlim_max};
}

Result<FdLimit> raise_fd_limit() {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0)
    return fail(posix_error("getrlimit(RLIMIT_NOFILE)", "", errno));
  if (limit.rlim_cur != limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    if (::setrlimit(RLIMIT_NOFILE, &limit) != 0)
      return fail(posix_error("setrlimit(RLIMIT_NOFILE)", "", errno));
  }
  return FdLimit{limit.rlim_cur, limit.rlim_max};
}

}  // namespace common::fs
