// FsBlobStore: content-addressed blob data on the local filesystem. A blob becomes visible
// only through publish(), which renames an already verified and fsynced file into place and
// fsyncs the directory, so a crash never exposes a blob whose bytes differ from its digest.
// Each digest is stored once however many repositories use it. It keeps a running count of
// blobs and bytes (scanned once by init(), then maintained by publish and remove) so metrics
// never walk the tree.
// Thread-safety: all calls are safe from any thread. Ordering publish against garbage
// collection is the caller's (RegistryService's blob lock); this store only keeps its own
// counters exact.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>

#include "common/clock.hpp"
#include "common/digest.hpp"
#include "common/fs/file_system.hpp"
#include "common/fs/unique_fd.hpp"
#include "common/result.hpp"
#include "registry/registry_env.hpp"
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

struct BlobTotals {
  std::size_t blobs = 0;
  std::uint64_t bytes = 0;
};

class FsBlobStore {
 public:
  explicit FsBlobStore(const StoragePaths& paths, RegistryEnv env = {})
      : paths_(paths), fs_(*env.fs), clock_(*env.clock) {}

  // Creates the blobs directory and counts what it holds; errors from the filesystem.
  [[nodiscard]] common::Status init();
  // Size and age of `digest`; kBlobUnknown when absent.
  [[nodiscard]] common::Result<BlobStat> stat(const common::Digest& digest) const;
  // Opens `digest` for reading; kBlobUnknown when absent.
  [[nodiscard]] common::Result<OpenBlob> open(const common::Digest& digest) const;
  // Moves the verified, fsynced file `staged` (same filesystem) into place as `digest` and
  // fsyncs its directory. When the blob exists already, `staged` is discarded and the blob's
  // age refreshed.
  [[nodiscard]] common::Status publish(const std::string& staged, const common::Digest& digest);
  // Refreshes the age of an existing blob before a new reference to it is recorded (mount);
  // kBlobUnknown when absent.
  [[nodiscard]] common::Status retain(const common::Digest& digest);
  // Deletes `digest` and fsyncs its directory; false when it was absent.
  [[nodiscard]] common::Result<bool> remove(const common::Digest& digest);
  // Calls `visit` for every stored blob; errors from the directory walk.
  [[nodiscard]] common::Status for_each(
      const std::function<void(const common::Digest&, const BlobStat&)>& visit) const;
  // Blobs and bytes stored, as counted since init().
  BlobTotals totals() const noexcept;

 private:
  const StoragePaths& paths_;
  common::fs::FileSystem& fs_;
  const common::Clock& clock_;
  std::mutex mutex_;  // serialises publish/remove so the counters match the files
  std::atomic<std::size_t> blobs_{0};
  std::atomic<std::uint64_t> bytes_{0};
};

}  // namespace registry::storage
