#include "registry/storage/fs_blob_store.hpp"

#include <fcntl.h>
#include <sys/stat.h>

#include <cerrno>

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
  for (const auto alg : {common::DigestAlgorithm::kSha256, common::DigestAlgorithm::kSha512}) {
    if (auto status = common::fs::make_dirs(paths_.blob_algorithm_root(alg), fs_); !status)
      return status;
  }
  BlobTotals totals;
  auto walked = for_each([&](const common::Digest&, const BlobStat& stat) {
    ++totals.blobs;
    totals.bytes += stat.size;
  });
  if (!walked) return walked;
  blobs_ = totals.blobs;
  bytes_ = totals.bytes;
  return {};
}

common::Result<BlobStat> FsBlobStore::stat(const common::Digest& digest) const {
  auto info = fs_.stat(paths_.blob(digest));
  if (!info) {
    if (info.error().code() == ErrorCode::kNotFound) return fail(blob_unknown(digest));
    return fail(info.error());
  }
  return BlobStat{info->size, info->modified_unix};
}

common::Result<OpenBlob> FsBlobStore::open(const common::Digest& digest) const {
  auto fd = fs_.open(paths_.blob(digest), O_RDONLY);
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
  const auto now = unix_seconds(clock_);
  std::lock_guard lock(mutex_);
  if (fs_.set_modified(target, now)) {
    (void)fs_.unlink(staged);  // identical content is stored already
    return {};
  }
  // The staged file's mtime is when its last byte arrived, possibly long ago; the blob's
  // age (what the GC grace period measures) must start now, before its manifest arrives.
  auto info = fs_.stat(staged);
  if (!info) return fail(info.error());
  if (auto status = fs_.set_modified(staged, now); !status) return status;
  if (auto status = common::fs::make_dirs(paths_.blob_dir(digest), fs_); !status) return status;
  if (auto status = common::fs::durable_rename(staged, target, fs_); !status) return status;
  blobs_.fetch_add(1, std::memory_order_relaxed);
  bytes_.fetch_add(info->size, std::memory_order_relaxed);
  return {};
}

common::Status FsBlobStore::retain(const common::Digest& digest) {
  auto touched = fs_.set_modified(paths_.blob(digest), unix_seconds(clock_));
  if (!touched && touched.error().code() == ErrorCode::kNotFound) return fail(blob_unknown(digest));
  return touched;
}

common::Result<bool> FsBlobStore::remove(const common::Digest& digest) {
  const auto path = paths_.blob(digest);
  std::lock_guard lock(mutex_);
  auto info = fs_.stat(path);
  if (!info) {
    if (info.error().code() == ErrorCode::kNotFound) return false;
    return fail(info.error());
  }
  if (auto status = fs_.unlink(path); !status) {
    if (status.error().code() == ErrorCode::kNotFound) return false;
    return fail(status.error());
  }
  blobs_.fetch_sub(1, std::memory_order_relaxed);
  bytes_.fetch_sub(info->size, std::memory_order_relaxed);
  if (auto status = common::fs::sync_dir(paths_.blob_dir(digest), fs_); !status)
    return fail(status.error());
  return true;
}

common::Status FsBlobStore::for_each(
    const std::function<void(const common::Digest&, const BlobStat&)>& visit) const {
  for (const auto alg : {common::DigestAlgorithm::kSha256, common::DigestAlgorithm::kSha512}) {
    const auto root = paths_.blob_algorithm_root(alg);
    auto prefixes = fs_.list_dir(root);
    if (!prefixes) {
      if (prefixes.error().code() == ErrorCode::kNotFound) continue;
      return fail(prefixes.error());
    }
    for (const auto& prefix : *prefixes) {
      const auto dir = paths_.blob_prefix_dir(alg, prefix);
      auto names = fs_.list_dir(dir);
      if (!names) {
        // A stray file where a prefix directory belongs, or one removed meanwhile.
        if (names.error().code() == ErrorCode::kNotFound) continue;
        return fail(names.error());
      }
      for (const auto& name : *names) {
        auto digest = common::Digest::parse(std::string(common::algorithm_name(alg)) + ":" + name);
        // A stray file (e.g. a temp file), or one under the wrong prefix: never ours to touch.
        if (!digest || paths_.blob_dir(*digest) != dir) continue;
        if (auto st = stat(*digest)) visit(*digest, *st);
      }
    }
  }
  return {};
}

BlobTotals FsBlobStore::totals() const noexcept {
  return BlobTotals{blobs_.load(std::memory_order_relaxed), bytes_.load(std::memory_order_relaxed)};
}

}  // namespace registry::storage
