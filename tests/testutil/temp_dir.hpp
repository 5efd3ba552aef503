// TempDir: a fresh directory (mkdtemp under $TMPDIR or /tmp) for one test, removed with
// everything in it when the object is destroyed. Unique per object, so tests may run in
// parallel. Not copyable; one owner. memory_temp_root(): where tests that fsync a lot
// (databases) put their files: /dev/shm when writable, else the temp dir.
#pragma once

#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <stdexcept>
#include <string>
#include <system_error>

namespace testutil {

class TempDir {
 public:
  TempDir() : TempDir(std::filesystem::temp_directory_path()) {}
  // A fresh directory under `parent` (e.g. /dev/shm for tests that fsync a lot).
  explicit TempDir(const std::filesystem::path& parent) {
    std::string pattern = (parent / "satellite-unit-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const noexcept { return path_; }
  std::string str() const { return path_.string(); }

 private:
  std::filesystem::path path_;
};

inline std::filesystem::path memory_temp_root() {
  std::error_code error;
  if (std::filesystem::is_directory("/dev/shm", error) && ::access("/dev/shm", W_OK) == 0) {
    return "/dev/shm";
  }
  return std::filesystem::temp_directory_path();
}

}  // namespace testutil
