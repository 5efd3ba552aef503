#include "satellite/oci_layout/layout_source.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <unordered_map>
#include <vector>

#include "common/fs/posix_error.hpp"
#include "satellite/oci_layout/tar_reader.hpp"

namespace satellite::oci_layout {
namespace {

using common::ErrorCode;
constexpr std::size_t kChunk = 256 * 1024;

common::Error not_found(const std::string& path) {
  return common::Error(ErrorCode::kNotFound, "missing from the layout", path);
}

// Streams `size` bytes at `offset` of `fd` (or from its current offset when nullopt).
common::Status copy_out(int fd, std::optional<std::uint64_t> offset, std::uint64_t size,
                        const std::string& path, const LayoutSource::Chunk& chunk) {
  std::vector<char> buffer(static_cast<std::size_t>(std::min<std::uint64_t>(size, kChunk)));
  for (std::uint64_t done = 0; done < size;) {
    const auto want = static_cast<std::size_t>(std::min<std::uint64_t>(size - done, kChunk));
    const auto got = offset ? ::pread(fd, buffer.data(), want, static_cast<off_t>(*offset + done))
                            : ::read(fd, buffer.data(), want);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) return common::fail(common::fs::posix_error("read", path, errno));
    if (got == 0) return common::fail(ErrorCode::kCorruption, "file shorter than its size", path);
    if (auto status = chunk(std::string_view(buffer.data(), static_cast<std::size_t>(got)));
        !status)
      return status;
    done += static_cast<std::uint64_t>(got);
  }
  return {};
}

// A layout directory: files are opened below the directory fd, never through a symlink
// (O_NOFOLLOW on the file; the layout's own paths contain no "..").
class DirSource final : public LayoutSource {
 public:
  explicit DirSource(common::fs::UniqueFd dir) : dir_(std::move(dir)) {}

  common::Result<std::uint64_t> size(const std::string& path) override {
    struct stat st {};
    if (::fstatat(dir_.get(), path.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
      if (errno == ENOENT || errno == ENOTDIR) return common::fail(not_found(path));
      return common::fail(common::fs::posix_error("stat", path, errno));
    }
    if (!S_ISREG(st.st_mode))
      return common::fail(ErrorCode::kCorruption, "not a regular file in the layout", path);
    return static_cast<std::uint64_t>(st.st_size);
  }

  common::Status stream(const std::string& path, const Chunk& chunk) override {
    const int fd = ::openat(dir_.get(), path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
      if (errno == ENOENT || errno == ENOTDIR) return common::fail(not_found(path));
      return common::fail(common::fs::posix_error("open", path, errno));
    }
    common::fs::UniqueFd file(fd);
    struct stat st {};
    if (::fstat(fd, &st) != 0) return common::fail(common::fs::posix_error("stat", path, errno));
    if (!S_ISREG(st.st_mode))
      return common::fail(ErrorCode::kCorruption, "not a regular file in the layout", path);
    return copy_out(fd, std::nullopt, static_cast<std::uint64_t>(st.st_size), path, chunk);
  }

 private:
  common::fs::UniqueFd dir_;
};

// A tar of a layout: the index of its regular files, read in place with pread.
class TarSource final : public LayoutSource {
 public:
  struct Span {
    std::uint64_t offset = 0;
    std::uint64_t size = 0;
  };
  TarSource(common::fs::UniqueFd file, std::unordered_map<std::string, Span> files)
      : file_(std::move(file)), files_(std::move(files)) {}

  common::Result<std::uint64_t> size(const std::string& path) override {
    const auto it = files_.find(path);
    if (it == files_.end()) return common::fail(not_found(path));
    return it->second.size;
  }

  common::Status stream(const std::string& path, const Chunk& chunk) override {
    const auto it = files_.find(path);
    if (it == files_.end()) return common::fail(not_found(path));
    return copy_out(file_.get(), it->second.offset, it->second.size, path, chunk);
  }

 private:
  common::fs::UniqueFd file_;
  std::unordered_map<std::string, Span> files_;
};

}  // namespace

common::Result<std::string> LayoutSource::read(const std::string& path, std::uint64_t limit) {
  auto bytes = size(path);
  if (!bytes) return common::fail(bytes.error());
  if (*bytes > limit)
    return common::fail(ErrorCode::kTooLarge, "file too large in the layout",
                        path + " has " + std::to_string(*bytes) + " bytes");
  std::string content;
  content.reserve(static_cast<std::size_t>(*bytes));
  auto status = stream(path, [&](std::string_view data) -> common::Status {
    if (content.size() + data.size() > limit)
      return common::fail(ErrorCode::kTooLarge, "file too large in the layout", path);
    content.append(data);
    return {};
  });
  if (!status) return common::fail(status.error());
  return content;
}

common::Result<std::unique_ptr<LayoutSource>> LayoutSource::open(common::fs::UniqueFd fd) {
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0)
    return common::fail(common::fs::posix_error("stat", "layout", errno));
  if (S_ISDIR(st.st_mode)) return std::make_unique<DirSource>(std::move(fd));
  if (!S_ISREG(st.st_mode))
    return common::fail(ErrorCode::kInvalidArgument, "an OCI layout is a directory or a tar file");
  std::unordered_map<std::string, TarSource::Span> files;
  TarReader reader(fd.get());
  for (;;) {
    auto entry = reader.next();
    if (!entry) return common::fail(entry.error());
    if (!*entry) break;
    if ((*entry)->type == TarEntry::Type::kFile)
      files[(*entry)->path] = TarSource::Span{(*entry)->data_offset, (*entry)->size};
  }
  return std::make_unique<TarSource>(std::move(fd), std::move(files));
}

}  // namespace satellite::oci_layout
