#include "registry/storage/fs_blob_store.hpp"

#include <fcntl.h>
#include <sys/stat.h>

#include <cerrno>
#include <filesystem>

#include "common/fs/file_ops.hpp"
#include "common/fs/posix_error.hpp"

namespace registry::storage {

using common::ErrorCode;
using common::fail;

namespace {

common::Error blob_unknown(const common::Digest& digest) {
  return common::Error(ErrorCode::kBlobUnknown, "blob unknown to registry", digest.str());
}

}  // namespace

common::Status FsBlobStore::init() {
  for (const char* alg : {"/sha256", "/sha512"}) {
    if (auto status = common::fs::make_dirs(paths_.blobs_root() + alg); !status) return status;
  }
  return {};
}

common::Result<BlobStat> FsBlobStore::stat(const common::Digest& digest) const {
  struct stat st {};
  const auto path = paths_.blob(digest);
  if (::stat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return fail(blob_unknown(digest));
    return fail(common::fs::posix_error("stat", path, errno));
  }
  return BlobStat{static_cast<std::uint64_t>(st.st_size), st.st_mtim.tv_sec};
}

common::Result<OpenBlob> FsBlobStore::open(const common::Digest& digest) const {
  auto fd = common::fs::open_file(paths_.blob(digest), O_RDONLY);
  if (!fd) {
    if (fd.error().code() == ErrorCode::kNotFound) return fail(blob_unknown(digest));
    return fail(fd.error());
  }
  struct stat st {};
  if (::fstat(fd->get(), &st) != 0)
    return fail(common::fs::posix_error("fstat", paths_.blob(digest), errno));
  return OpenBlob{std::move(*fd), static_cast<std::uint64_t>(st.st_size)};
}

common::Status FsBlobStore::publish(const std::string& staged, const common::Digest& digest) {
  const auto target = paths_.blob(digest);
  std::lock_guard lock(mutex_);
  if (::utimensat(AT_FDCWD, target.c_str(), nullptr, 0) == 0) {
    ::unlink(staged.c_str());  // identical content is stored already
    return {};
  }
  // The staged file's mtime is when its last byte arrived, possibly long ago; the blob's
  // age (what the GC grace period measures) must start now, before its manifest arrives.
  if (::utimensat(AT_FDCWD, staged.c_str(), nullptr, 0) != 0)
    return fail(common::fs::posix_error("utimensat", staged, errno));
  if (auto status = common::fs::make_dirs(paths_.blob_dir(digest)); !status) return status;
  return common::fs::durable_rename(staged, target);
}

common::Status FsBlobStore::retain(const common::Digest& digest) {
  std::lock_guard lock(mutex_);
  if (::utimensat(AT_FDCWD, paths_.blob(digest).c_str(), nullptr, 0) == 0) return {};
  if (errno == ENOENT) return fail(blob_unknown(digest));
  return fail(common::fs::posix_error("utimensat", paths_.blob(digest), errno));
}

common::Result<bool> FsBlobStore::remove_if_unreferenced(
    const common::Digest& digest, std::int64_t cutoff_unix,
    const std::function<common::Result<bool>()>& unreferenced) {
  std::lock_guard lock(mutex_);
  auto current = stat(digest);
  if (!current)
    return current.error().code() == ErrorCode::kBlobUnknown ? common::Result<bool>(false)
                                                             : fail(current.error());
  if (current->modified_unix > cutoff_unix) return false;
  auto free = unreferenced();
  if (!free) return fail(free.error());
  if (!*free) return false;
  const auto path = paths_.blob(digest);
  if (::unlink(path.c_str()) != 0 && errno != ENOENT)
    return fail(common::fs::posix_error("unlink", path, errno));
  if (auto status = common::fs::sync_dir(paths_.blob_dir(digest)); !status)
    return fail(status.error());
  return true;
}

common::Status FsBlobStore::for_each(
    const std::function<void(const common::Digest&, const BlobStat&)>& visit) const {
  std::error_code ec;
  for (const auto alg : {common::DigestAlgorithm::kSha256, common::DigestAlgorithm::kSha512}) {
    const auto root = paths_.blobs_root() + "/" + std::string(common::algorithm_name(alg));
    for (auto it = std::filesystem::recursive_directory_iterator(root, ec);
         !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
      if (!it->is_regular_file(ec)) continue;
      auto digest = common::Digest::parse(std::string(common::algorithm_name(alg)) + ":" +
                                          it->path().filename().string());
      if (!digest) continue;  // stray file (e.g. a temp file): never ours to touch
      if (auto st = stat(*digest)) visit(*digest, *st);
    }
    if (ec && ec != std::errc::no_such_file_or_directory) {
      return fail(common::fs::posix_error("walk", root, ec.value()));
    }
    ec.clear();
  }
  return {};
}

}  // namespace registry::storage
