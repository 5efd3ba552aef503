// The FileSystem over POSIX calls; errno becomes an Error in posix_error() only.
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <memory>

#include "common/fs/file_system.hpp"
#include "common/fs/posix_error.hpp"

namespace common::fs {
namespace {

class PosixFileSystem final : public FileSystem {
 public:
  Result<UniqueFd> open(const std::string& path, int flags, int mode) override {
    for (;;) {
      const int fd = ::open(path.c_str(), flags | O_CLOEXEC, mode);
      if (fd >= 0) return UniqueFd(fd);
      if (errno != EINTR) return fail(posix_error("open", path, errno));
    }
  }

  Status write(int fd, std::span<const char> data, std::string_view path) override {
    while (!data.empty()) {
      const ssize_t n = ::write(fd, data.data(), data.size());
      if (n < 0) {
        if (errno == EINTR) continue;
        return fail(posix_error("write", path, errno));
      }
      data = data.subspan(static_cast<std::size_t>(n));
    }
    return {};
  }

  Status sync(int fd, std::string_view path) override {
    if (::fsync(fd) != 0) return fail(posix_error("fsync", path, errno));
    return {};
  }

  Status truncate(int fd, std::uint64_t size, std::string_view path) override {
    if (::ftruncate(fd, static_cast<off_t>(size)) != 0)
      return fail(posix_error("ftruncate", path, errno));
    if (::lseek(fd, static_cast<off_t>(size), SEEK_SET) < 0)
      return fail(posix_error("lseek", path, errno));
    return {};
  }

  Status rename(const std::string& from, const std::string& to) override {
    if (::rename(from.c_str(), to.c_str()) != 0) return fail(posix_error("rename", to, errno));
    return {};
  }

  Status unlink(const std::string& path) override {
    if (::unlink(path.c_str()) != 0) return fail(posix_error("unlink", path, errno));
    return {};
  }

  Status make_dir(const std::string& path) override {
    if (::mkdir(path.c_str(), 0755) != 0) return fail(posix_error("mkdir", path, errno));
    return {};
  }

  Result<FileInfo> stat(const std::string& path) override {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return fail(posix_error("stat", path, errno));
    return FileInfo{static_cast<std::uint64_t>(st.st_size), st.st_mtim.tv_sec, S_ISDIR(st.st_mode)};
  }

  Status set_modified(const std::string& path, std::int64_t unix_seconds) override {
    const struct timespec times[2] = {{0, UTIME_OMIT}, {static_cast<time_t>(unix_seconds), 0}};
    if (::utimensat(AT_FDCWD, path.c_str(), times, 0) != 0)
      return fail(posix_error("utimensat", path, errno));
    return {};
  }

  Result<std::vector<std::string>> list_dir(const std::string& path) override {
    std::unique_ptr<DIR, decltype(&::closedir)> dir(::opendir(path.c_str()), &::closedir);
    if (!dir) return fail(posix_error("opendir", path, errno));
    std::vector<std::string> names;
    for (;;) {
      errno = 0;
      const dirent* entry = ::readdir(dir.get());
      if (entry == nullptr) {
        if (errno != 0) return fail(posix_error("readdir", path, errno));
        return names;
      }
      const std::string_view name(entry->d_name);
      if (name != "." && name != "..") names.emplace_back(name);
    }
  }

  Status remove_tree(const std::string& path) override {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
    if (ec) return fail(posix_error("remove", path, ec.value()));
    return {};
  }
};

}  // namespace

FileSystem& posix_file_system() {
  static PosixFileSystem instance;  // stateless: no mutable global state
  return instance;
}

}  // namespace common::fs
