// Secret files: small files only their owner may read (private keys, the master key). Reading
// refuses a file that group or others can access, as ssh does for a private key, so a
// secret left world-readable is found at startup rather than after it leaked. Writing
// publishes atomically (temp file beside it, fsync, rename, fsync of the directory) with
// mode 0600 from the moment the temp file exists. Every step goes through the FileSystem,
// so a test's FileSystem sees and can fail it. Thread-safety: safe from any thread; one
// writer per path at a time (the temp file's name is fixed).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "common/fs/file_system.hpp"
#include "common/result.hpp"

namespace common::fs {

// The contents of `path`. kNotFound when absent; kPermissionDenied when the file's mode
// grants group or others any access (the message names the mode and the fix) or the open
// is refused; kInvalidArgument when it is not a regular file or holds over `max_bytes`;
// other errors as posix_error().
[[nodiscard]] Result<std::string> read_secret_file(const std::string& path, std::size_t max_bytes,
                                                   FileSystem& fs = posix_file_system());

// Writes `data` to `path` with mode 0600, replacing any file there, via "<path>.tmp" (a
// stale one from a crash is removed first). Errors as posix_error(); the temp file is gone.
[[nodiscard]] Status write_secret_file(const std::string& path, std::string_view data,
                                       FileSystem& fs = posix_file_system());

}  // namespace common::fs
