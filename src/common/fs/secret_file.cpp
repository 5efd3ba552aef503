#include "common/fs/secret_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "common/fs/file_ops.hpp"
#include "common/fs/posix_error.hpp"

namespace common::fs {
namespace {

std::string octal_mode(mode_t mode) {
  std::string text = "0";
  for (int shift = 6; shift >= 0; shift -= 3)
    text += static_cast<char>('0' + ((mode >> shift) & 7));
  return text;
}

Result<UniqueFd> create_exclusive(const std::string& temp, FileSystem& fs) {
  const int flags = O_WRONLY | O_CREAT | O_EXCL;
  auto fd = fs.open(temp, flags, 0600);
  if (fd || fd.error().code() != ErrorCode::kAlreadyExists) return fd;
  // Left by a writer that crashed before its rename.
  if (auto removed = fs.unlink(temp); !removed) return fail(removed.error());
  return fs.open(temp, flags, 0600);
}

}  // namespace

Result<std::string> read_secret_file(const std::string& path, std::size_t max_bytes,
                                     FileSystem& fs) {
  auto fd = fs.open(path, O_RDONLY);
  if (!fd) return fail(fd.error());
  // fstat of the open file, not stat of the path: the checked file is the one read.
  struct stat info {};
  if (::fstat(fd->get(), &info) != 0) return fail(posix_error("fstat", path, errno));
  if (!S_ISREG(info.st_mode))
    return fail(ErrorCode::kInvalidArgument, "a secret file must be a regular file", path);
  if ((info.st_mode & (S_IRWXG | S_IRWXO)) != 0)
    return fail(ErrorCode::kPermissionDenied,
                "secret file is accessible by group or others (mode " +
                    octal_mode(info.st_mode & 0777) + "); make it owner-only: chmod 600",
                path);
  // Read straight into one buffer, so no copy of the secret is left behind in freed memory.
  std::string out(std::min<std::size_t>(info.st_size, max_bytes) + 1, '\0');
  std::size_t size = 0;
  for (;;) {
    const ssize_t n = ::read(fd->get(), out.data() + size, out.size() - size);
    if (n < 0) {
      if (errno == EINTR) continue;
      explicit_bzero(out.data(), out.size());
      return fail(posix_error("read", path, errno));
    }
    if (n == 0) break;
    size += static_cast<std::size_t>(n);
    if (size > max_bytes) {
      explicit_bzero(out.data(), out.size());
      return fail(ErrorCode::kInvalidArgument,
                  "secret file is larger than " + std::to_string(max_bytes) + " bytes", path);
    }
    if (size == out.size()) {  // grew since fstat: double, wiping the old buffer
      std::string bigger(std::min(out.size() * 2, max_bytes + 1), '\0');
      std::copy(out.begin(), out.end(), bigger.begin());
      explicit_bzero(out.data(), out.size());
      out.swap(bigger);
    }
  }
  out.resize(size);
  return out;
}

Status write_secret_file(const std::string& path, std::string_view data, FileSystem& fs) {
  const std::string temp = path + ".tmp";
  auto fd = create_exclusive(temp, fs);
  if (!fd) return fail(fd.error());
  return publish_temp_file(std::move(*fd), temp, path, data, fs);
}

}  // namespace common::fs
