#include "common/fs/file_ops.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

#include "common/fs/posix_error.hpp"

namespace common::fs {

Result<UniqueFd> open_file(const std::string& path, int flags, int mode, FileSystem& fs) {
  return fs.open(path, flags, mode);
}

std::string parent_dir(std::string_view path) {
  const auto slash = path.rfind('/');
  if (slash == std::string_view::npos) return ".";
  if (slash == 0) return "/";
  return std::string(path.substr(0, slash));
}

Status make_dirs(const std::string& path, FileSystem& fs) {
  if (auto info = fs.stat(path)) {
    if (info->is_directory) return {};
    return fail(ErrorCode::kInternal, "not a directory", path);
  } else if (info.error().code() != ErrorCode::kNotFound) {
    return fail(info.error());
  }
  const auto parent = parent_dir(path);
  if (parent != path) {
    if (auto status = make_dirs(parent, fs); !status) return status;
  }
  if (auto made = fs.make_dir(path); !made && made.error().code() != ErrorCode::kAlreadyExists)
    return made;
  return sync_dir(parent, fs);
}

Status write_all(int fd, std::span<const char> data, std::string_view path, FileSystem& fs) {
  return fs.write(fd, data, path);
}

Status sync_fd(int fd, std::string_view path, FileSystem& fs) {
  return fs.sync(fd, path);
}

Status sync_dir(const std::string& dir, FileSystem& fs) {
  auto fd = fs.open(dir, O_RDONLY | O_DIRECTORY);
  if (!fd) return fail(fd.error());
  return fs.sync(fd->get(), dir);
}

Status durable_rename(const std::string& from, const std::string& to, FileSystem& fs) {
  if (auto status = fs.rename(from, to); !status) return status;
  return sync_dir(parent_dir(to), fs);
}

Status publish_temp_file(UniqueFd fd, const std::string& temp, const std::string& path,
                         std::string_view data, FileSystem& fs) {
  Status status = fs.write(fd.get(), data, temp);
  if (status) status = fs.sync(fd.get(), temp);
  fd.reset();
  if (status) status = durable_rename(temp, path, fs);
  if (!status) (void)fs.unlink(temp);
  return status;
}

Status atomic_write_file(const std::string& path, std::string_view data, FileSystem& fs) {
  const std::string temp = path + ".tmp";
  auto fd = fs.open(temp, O_WRONLY | O_CREAT | O_TRUNC);
  if (!fd) return fail(fd.error());
  return publish_temp_file(std::move(*fd), temp, path, data, fs);
}

Result<std::string> read_file(const std::string& path, FileSystem& fs) {
  auto fd = fs.open(path, O_RDONLY);
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

Status remove_tree(const std::string& path, FileSystem& fs) {
  return fs.remove_tree(path);
}

}  // namespace common::fs
