#include "satellite/oci_layout/layout_sink.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <vector>

#include "common/fs/file_ops.hpp"
#include "common/fs/posix_error.hpp"
#include "satellite/oci_layout/tar_writer.hpp"

namespace satellite::oci_layout {
namespace {

class DirSink final : public LayoutSink {
 public:
  explicit DirSink(common::fs::UniqueFd dir) : dir_(std::move(dir)) {}

  common::Status add_directory(const std::string& path) override {
    if (::mkdirat(dir_.get(), path.c_str(), 0755) != 0 && errno != EEXIST)
      return common::fail(common::fs::posix_error("mkdir", path, errno));
    return {};
  }

  common::Status add_file(const std::string& path, std::string_view content) override {
    auto fd = create(path);
    if (!fd) return common::fail(fd.error());
    if (auto status = common::fs::write_all(fd->get(), content, path); !status) return status;
    return common::fs::sync_fd(fd->get(), path);
  }

  common::Status add_file_from(const std::string& path, int source, std::uint64_t size) override {
    auto fd = create(path);
    if (!fd) return common::fail(fd.error());
    std::vector<char> buffer(256 * 1024);
    for (std::uint64_t left = size; left > 0;) {
      const auto got = ::read(source, buffer.data(), std::min<std::uint64_t>(left, buffer.size()));
      if (got < 0 && errno == EINTR) continue;
      if (got < 0) return common::fail(common::fs::posix_error("read", path, errno));
      if (got == 0)
        return common::fail(common::ErrorCode::kCorruption, "blob shorter than its size", path);
      const std::string_view data(buffer.data(), static_cast<std::size_t>(got));
      if (auto status = common::fs::write_all(fd->get(), data, path); !status) return status;
      left -= static_cast<std::uint64_t>(got);
    }
    return common::fs::sync_fd(fd->get(), path);
  }

  common::Status finish() override { return common::fs::sync_fd(dir_.get(), "export directory"); }

 private:
  common::Result<common::fs::UniqueFd> create(const std::string& path) {
    const int fd = ::openat(dir_.get(), path.c_str(),
                            O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (fd < 0) return common::fail(common::fs::posix_error("create", path, errno));
    return common::fs::UniqueFd(fd);
  }
  common::fs::UniqueFd dir_;
};

class TarSink final : public LayoutSink {
 public:
  explicit TarSink(common::fs::UniqueFd file)
      : file_(std::move(file)), tar_(file_.get(), "export tar") {}

  common::Status add_directory(const std::string& path) override {
    return tar_.add_directory(path);
  }
  common::Status add_file(const std::string& path, std::string_view content) override {
    return tar_.add_file(path, content);
  }
  common::Status add_file_from(const std::string& path, int source, std::uint64_t size) override {
    return tar_.add_file_from(path, source, size);
  }
  common::Status finish() override {
    if (auto status = tar_.finish(); !status) return status;
    return common::fs::sync_fd(file_.get(), "export tar");
  }

 private:
  common::fs::UniqueFd file_;
  TarWriter tar_;
};

}  // namespace

common::Result<std::unique_ptr<LayoutSink>> LayoutSink::open(common::fs::UniqueFd fd) {
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0)
    return common::fail(common::fs::posix_error("stat", "export target", errno));
  if (S_ISDIR(st.st_mode)) return std::make_unique<DirSink>(std::move(fd));
  if (S_ISREG(st.st_mode)) return std::make_unique<TarSink>(std::move(fd));
  return common::fail(common::ErrorCode::kInvalidArgument,
                      "an export goes to a directory or a tar file");
}

}  // namespace satellite::oci_layout
