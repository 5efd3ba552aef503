// Durable file operations: the building blocks for "temp file, fsync, rename, fsync of the
// directory" publishing, composed from FileSystem calls so that a test's FileSystem sees
// (and can fail) every step. Each takes the FileSystem last, defaulting to the real one.
// Every call returns an Error built by posix_error() on failure. Safe from any thread.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "common/fs/file_system.hpp"
#include "common/fs/unique_fd.hpp"
#include "common/result.hpp"

namespace common::fs {

// Opens `path` with open(2) `flags` (O_CLOEXEC added) and `mode`.
[[nodiscard]] Result<UniqueFd> open_file(const std::string& path, int flags, int mode = 0644,
                                         FileSystem& fs = posix_file_system());
// Creates `path` and any missing parents (mode 0755); fsyncs each directory it created.
[[nodiscard]] Status make_dirs(const std::string& path, FileSystem& fs = posix_file_system());
// Writes all of `data` at the current offset, retrying on EINTR and short writes.
[[nodiscard]] Status write_all(int fd, std::span<const char> data, std::string_view path,
                               FileSystem& fs = posix_file_system());
// fsync(2) of an open file.
[[nodiscard]] Status sync_fd(int fd, std::string_view path, FileSystem& fs = posix_file_system());
// Opens the directory and fsyncs it so a rename or unlink inside it is durable.
[[nodiscard]] Status sync_dir(const std::string& dir, FileSystem& fs = posix_file_system());
// rename(2) then fsync of the target's directory.
[[nodiscard]] Status durable_rename(const std::string& from, const std::string& to,
                                    FileSystem& fs = posix_file_system());
// Writes `data` into `fd` (an open, empty file at `temp`), fsyncs it, closes it and renames
// it onto `path` durably; on any failure removes `temp`. What atomic_write_file and
// write_secret_file share once each has opened its temp file its own way.
[[nodiscard]] Status publish_temp_file(UniqueFd fd, const std::string& temp,
                                       const std::string& path, std::string_view data,
                                       FileSystem& fs = posix_file_system());
// Writes `data` to `path` atomically: temp file beside it, fsync, rename, fsync directory.
[[nodiscard]] Status atomic_write_file(const std::string& path, std::string_view data,
                                       FileSystem& fs = posix_file_system());
// Reads a whole (small) file.
[[nodiscard]] Result<std::string> read_file(const std::string& path,
                                            FileSystem& fs = posix_file_system());
// Removes a directory tree; a missing path is success.
[[nodiscard]] Status remove_tree(const std::string& path, FileSystem& fs = posix_file_system());
// Directory part of `path` ("." when none).
std::string parent_dir(std::string_view path);

}  // namespace common::fs
