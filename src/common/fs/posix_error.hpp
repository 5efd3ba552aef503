// posix_error(): the single place where an errno value becomes an Error (leveldb's
// PosixError). ENOSPC/EDQUOT become kResourceExhausted so callers can report "disk full".
#pragma once

#include <string>
#include <string_view>

#include "common/result.hpp"

namespace common::fs {

// Error for a failed `operation` on `path` with errno value `err`.
Error posix_error(std::string_view operation, std::string_view path, int err);

}  // namespace common::fs
