#include "common/fs/posix_error.hpp"

#include <cerrno>
#include <cstring>

namespace common::fs {

Error posix_error(std::string_view operation, std::string_view path, int err) {
  ErrorCode code = ErrorCode::kInternal;
  switch (err) {
    case ENOSPC:
    case EDQUOT:
      code = ErrorCode::kResourceExhausted;
      break;
    case ENOENT:
    case ENOTDIR:  // a component of the path is a file: no such directory
      code = ErrorCode::kNotFound;
      break;
    case EEXIST:
      code = ErrorCode::kAlreadyExists;
      break;
    case EACCES:
    case EPERM:
    case EROFS:
      code = ErrorCode::kPermissionDenied;
      break;
    default:
      break;
  }
  std::string message(operation);
  message.append(" failed: ").append(std::strerror(err));
  return Error(code, std::move(message), std::string(path));
}

}  // namespace common::fs
