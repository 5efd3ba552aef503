// FileSystem: the one interface through which the stores reach the disk (LevelDB's Env),
// so tests can wrap the real one to inject fsync, rename and ENOSPC failures or torn
// writes, and observe which files and directories were made durable. Every call returns an
// Error built by posix_error() (kNotFound, kAlreadyExists, kResourceExhausted, kPermissionDenied,
// kInternal); none throws. Reading an open file goes straight to the fd (hashing, sendfile).
// Thread-safety: implementations are safe from any thread.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/fs/unique_fd.hpp"
#include "common/result.hpp"

namespace common::fs {

struct FileInfo {
  std::uint64_t size = 0;
  std::int64_t modified_unix = 0;
  bool is_directory = false;
};

class FileSystem {
 public:
  virtual ~FileSystem() = default;
  // open(2) with O_CLOEXEC added.
  [[nodiscard]] virtual Result<UniqueFd> open(const std::string& path, int flags,
                                              int mode = 0644) = 0;
  // Writes all of `data` at the fd's offset. On failure a prefix may have been written.
  [[nodiscard]] virtual Status write(int fd, std::span<const char> data, std::string_view path) = 0;
  // fsync(2) of an open file or directory; `path` names it for errors and observers.
  [[nodiscard]] virtual Status sync(int fd, std::string_view path) = 0;
  // ftruncate(2) to `size`, then seeks there.
  [[nodiscard]] virtual Status truncate(int fd, std::uint64_t size, std::string_view path) = 0;
  // rename(2); not durable until the target's directory is synced.
  [[nodiscard]] virtual Status rename(const std::string& from, const std::string& to) = 0;
  // unlink(2); kNotFound when absent.
  [[nodiscard]] virtual Status unlink(const std::string& path) = 0;
  // mkdir(2) with mode 0755; kAlreadyExists when present.
  [[nodiscard]] virtual Status make_dir(const std::string& path) = 0;
  // stat(2); kNotFound when absent.
  [[nodiscard]] virtual Result<FileInfo> stat(const std::string& path) = 0;
  // Sets the modification time (the stores' age stamp); kNotFound when absent.
  [[nodiscard]] virtual Status set_modified(const std::string& path, std::int64_t unix_seconds) = 0;
  // Names in directory `path` (no "." or ".."), in no particular order; kNotFound when absent.
  [[nodiscard]] virtual Result<std::vector<std::string>> list_dir(const std::string& path) = 0;
  // Removes a directory tree; a missing path is success.
  [[nodiscard]] virtual Status remove_tree(const std::string& path) = 0;
};

// The real file system. Stateless; one instance serves the whole process.
FileSystem& posix_file_system();

}  // namespace common::fs
