// FsBlobStore: content-addressed blob data on the local filesystem. A blob becomes visible
// only through publish(), which renames an already verified and fsynced file into place and
// fsyncs the directory, so a crash never exposes a blob whose bytes differ from its digest.
// Each digest is stored once however many repositories use it.
// Thread-safety: all calls are safe from any thread; publish(), retain() and
// remove_if_unreferenced() are serialised by one mutex so GC cannot delete a blob that an
// upload or mount is adopting at the same moment.
#pragma once

#include <cstdint>
#include <functional>
#include <mutex>
#include <string>

#include "common/digest.hpp"
#include "common/fs/unique_fd.hpp"
#include "common/result.hpp"
#include "registry/storage/storage_paths.hpp"

namespace registry::storage {

struct BlobStat {
  std::uint64_t size = 0;
  std::int64_t modified_unix = 0;  // last publish() or retain(): what the GC grace period uses
};

struct OpenBlob {
  common::fs::UniqueFd fd;
  std::uint64_t size = 0;
};

class FsBlobStore {
 public:
  explicit FsBlobStore(const StoragePaths& paths) : paths_(paths) {}

  // Creates the blobs directory; errors from the filesystem.
  [[nodiscard]] common::Status init();
  // Size and age of `digest`; kBlobUnknown when absent.
  [[nodiscard]] common::Result<BlobStat> stat(const common::Digest& digest) const;
  // Opens `digest` for reading; kBlobUnknown when absent.
  [[nodiscard]] common::Result<OpenBlob> open(const common::Digest& digest) const;
  // Moves the verified file `staged` (same filesystem) into place as `digest`. When the blob
  // exists already, `staged` is discarded and the blob's age refreshed.
  [[nodiscard]] common::Status publish(const std::string& staged, const common::Digest& digest);
  // Refreshes the age of an existing blob before a new reference to it is recorded (mount);
  // kBlobUnknown when absent.
  [[nodiscard]] common::Status retain(const common::Digest& digest);
  // Deletes `digest` if its age stamp is at or before `cutoff_unix` and `unreferenced()`
  // (called under the lock, typically removing the metadata links in one transaction)
  // returns true. Returns whether it was deleted.
  [[nodiscard]] common::Result<bool> remove_if_unreferenced(
      const common::Digest& digest, std::int64_t cutoff_unix,
      const std::function<common::Result<bool>()>& unreferenced);
  // Calls `visit` for every stored blob; errors from the directory walk.
  [[nodiscard]] common::Status for_each(
      const std::function<void(const common::Digest&, const BlobStat&)>& visit) const;

 private:
  const StoragePaths& paths_;
  std::mutex mutex_;  // guards the existence of blob files across publish/retain/remove
};

}  // namespace registry::storage
