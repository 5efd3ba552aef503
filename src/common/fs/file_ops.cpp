#include "common/fs/file_ops.hpp"

#include <fcntl.h>
#include <sys/stat.h>

#include <cerrno>
#include <filesystem>
#include <system_error>

#include "common/fs/posix_error.hpp"

namespace common::fs {

Result<UniqueFd> open_file(const std::string& path, int flags, int mode) {
  for (;;) {
    const int fd = ::open(path.c_str(), flags | O_CLOEXEC, mode);
    if (fd >= 0) return UniqueFd(fd);
    if (errno != EINTR) return fail(posix_error("open", path, errno));
  }
}

std::string parent_dir(std::string_view path) {
  const auto slash = path.rfind('/');
  if (slash == std::string_view::npos) return ".";
  if (slash == 0) return "/";
  return std::string(path.substr(0, slash));
}

Status make_dirs(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0) {
    if (S_ISDIR(st.st_mode)) return {};
    return fail(ErrorCode::kInternal, "not a directory", path);
  }
  const auto parent = parent_dir(path);
  if (parent != path) {
    if (auto status = make_dirs(parent); !status) return status;
  }
  if (::mkdir(path.c_str(), 0755) != 0 && errno != EEXIST)
    return fail(posix_error("mkdir", path, errno));
  return sync_dir(parent);
}

Status write_all(int fd, std::span<const char> data, std::string_view path) {
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

Status sync_fd(int fd, std::string_view path) {
  if (::fsync(fd) != 0) return fail(posix_error("fsync", path, errno));
  return {};
}

Status sync_dir(const std::string& dir) {
  auto fd = open_file(dir, O_RDONLY | O_DIRECTORY);
  if (!fd) return fail(fd.error());
  return sync_fd(fd->get(), dir);
}

Status durable_rename(const std::string& from, const std::string& to) {
  if (::rename(from.c_str(), to.c_str()) != 0) return fail(posix_error("rename", to, errno));
  return sync_dir(parent_dir(to));
}

Status atomic_write_file(const std::string& path, std::string_view data) {
  const std::string temp = path + ".tmp";
  auto fd = open_file(temp, O_WRONLY | O_CREAT | O_TRUNC);
  if (!fd) return fail(fd.error());
  Status status = write_all(fd->get(), data, temp);
  if (status) status = sync_fd(fd->get(), temp);
  fd->reset();
  if (status) status = durable_rename(temp, path);
  if (!status) ::unlink(temp.c_str());
  return status;
}

Result<std::string> read_file(const std::string& path) {
  auto fd = open_file(path, O_RDONLY);
  if (!fd) return fail(fd.error());
  std::string out;
  char buffer[16 * 1024];
  for (;;) {
    const ssize_t n = ::read(fd->get(), buffer, sizeof buffer);
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail(posix_error("read", path, errno));
    }
    if (n == 0) return out;
    out.append(buffer, static_cast<std::size_t>(n));
  }
}

Status remove_tree(const std::string& path) {
  std::error_code ec;
  std::filesystem::remove_all(path, ec);
  if (ec) return fail(posix_error("remove", path, ec.value()));
  return {};
}

}  // namespace common::fs
