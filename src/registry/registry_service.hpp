// RegistryService: the registry's domain operations over its stores (blob data, upload
// sessions, SQLite metadata, the in-memory manifest index). It enforces the rules of the
// OCI distribution-spec that do not depend on HTTP: names and references are validated,
// a repository serves only blobs it holds, manifests must reference content that exists,
// uploads are verified before they become visible. It knows nothing of HTTP.
// Thread-safety: all calls are safe from any thread. Calls marked "blocking" touch disk
// (fsync, SQLite writes) and must run off the I/O threads.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

#include "common/digest.hpp"
#include "common/fs/dir_lock.hpp"
#include "common/log/logger.hpp"
#include "common/memory_budget.hpp"
#include "common/oci/manifest.hpp"
#include "common/result.hpp"
#include "registry/meta/manifest_cache.hpp"
#include "registry/meta/metadata_store.hpp"
#include "registry/registry_config.hpp"
#include "registry/registry_env.hpp"
#include "registry/storage/fs_blob_store.hpp"
#include "registry/storage/storage_paths.hpp"
#include "registry/storage/upload_store.hpp"

namespace registry {

struct PutManifestResult {
  common::Digest digest;
  std::optional<common::Digest> subject;
};

struct GcReport {
  std::size_t blobs_deleted = 0;
  std::uint64_t bytes_freed = 0;
  std::size_t blobs_kept = 0;
  std::size_t uploads_purged = 0;
};

struct StorageStats {
  std::size_t blobs = 0;
  std::uint64_t bytes = 0;
};

class RegistryService {
 public:
  // Locks and opens (creating if needed) the data dir; kConflict when another process holds
  // it, kUnsupported when a newer version wrote it.
  [[nodiscard]] static common::Result<std::unique_ptr<RegistryService>> open(
      RegistryConfig config, common::log::Logger logger, RegistryEnv env = {});

  const RegistryConfig& config() const noexcept { return config_; }
  // The budget every manifest byte held in memory counts against (request bodies included).
  common::MemoryBudget& manifest_budget() noexcept { return manifest_budget_; }

  using ManifestAnswer = common::Result<std::shared_ptr<const meta::CachedManifest>>;
  // Manifest by tag or digest from memory, without blocking; nullopt when it must be loaded.
  // kNameInvalid; kManifestUnknown (also for a reference that cannot exist), kNameUnknown.
  [[nodiscard]] std::optional<ManifestAnswer> cached_manifest(std::string_view repository,
                                                              std::string_view reference);
  // Manifest by tag or digest, loaded from the database when not in memory. Blocking on a
  // miss. Errors as cached_manifest(), and kTooManyRequests when memory is short.
  [[nodiscard]] ManifestAnswer get_manifest(std::string_view repository,
                                            std::string_view reference);
  // Validates and stores a manifest under a tag or digest reference. Blocking. What parsing
  // keeps grows `reservation` when given (the body's own). kManifestInvalid (also for a
  // descriptor whose size is not the stored blob's), kDigestInvalid, kManifestBlobUnknown,
  // kUnsupported, kTooLarge, kTooManyRequests.
  [[nodiscard]] common::Result<PutManifestResult> put_manifest(
      std::string_view repository, std::string_view reference, std::string_view content,
      std::string_view content_type, common::MemoryBudget::Reservation* reservation = nullptr);
  // By digest: the manifest and its tags; by tag: the tag only. Blocking. kManifestUnknown.
  [[nodiscard]] common::Status delete_manifest(std::string_view repository,
                                               std::string_view reference);

  // Size of a blob the repository holds; kBlobUnknown otherwise.
  [[nodiscard]] common::Result<std::uint64_t> stat_blob(std::string_view repository,
                                                        const common::Digest& digest);
  // Opens a blob the repository holds for reading; kBlobUnknown otherwise.
  [[nodiscard]] common::Result<storage::OpenBlob> open_blob(std::string_view repository,
                                                            const common::Digest& digest);
  // Removes the repository's link to the blob (GC reclaims the data). Blocking.
  [[nodiscard]] common::Status delete_blob(std::string_view repository,
                                           const common::Digest& digest);
  // Links a blob held by repository `from` into `repository`; false when `from` does not
  // hold it (the caller then starts a normal upload). Blocking.
  [[nodiscard]] common::Result<bool> mount_blob(std::string_view repository, std::string_view from,
                                                const common::Digest& digest);
  // Links a blob already in the store (held by any repository, or left by an interrupted
  // replication) into `repository` without its bytes; false when no such blob is stored.
  // For replication and import, which know a blob by its digest only. Blocking.
  [[nodiscard]] common::Result<bool> link_stored_blob(std::string_view repository,
                                                      const common::Digest& digest);

  [[nodiscard]] common::Result<storage::UploadState> start_upload(std::string_view repository);
  // kBlobUploadUnknown when the id is malformed, unknown or of another repository.
  [[nodiscard]] common::Result<storage::UploadState> upload_status(std::string_view repository,
                                                                   std::string_view id);
  // Opens an upload for appending at `offset` (kRangeInvalid when it is not the end). Blocking.
  [[nodiscard]] common::Result<storage::UploadWriter> open_upload(
      std::string_view repository, std::string_view id, std::optional<std::uint64_t> offset);
  // Verifies the upload against `digest`, publishes the blob and links it. Blocking.
  [[nodiscard]] common::Result<std::uint64_t> finish_upload(std::string_view repository,
                                                            std::string_view id,
                                                            const common::Digest& digest);
  [[nodiscard]] common::Status cancel_upload(std::string_view repository, std::string_view id);

  [[nodiscard]] common::Result<std::vector<std::string>> list_tags(std::string_view repository,
                                                                   std::size_t limit,
                                                                   std::string_view last);
  [[nodiscard]] common::Result<std::vector<std::string>> list_repositories(std::size_t limit,
                                                                           std::string_view last);
  [[nodiscard]] common::Result<std::vector<meta::Referrer>> referrers(
      std::string_view repository, const common::Digest& subject, std::string_view artifact_type);

  // Mark and sweep: deletes blobs no manifest references that are older than the grace
  // period, and upload sessions idle past their limit. Safe while pushes run: each blob's
  // fate is decided and carried out under the blob lock, which publishing-and-linking and
  // a manifest's reference check also take, so GC never removes a blob between its upload
  // and its link, nor one a manifest is being committed over. Blocking.
  [[nodiscard]] common::Result<GcReport> collect_garbage();
  // Stored blobs and bytes, as counted (no disk access).
  StorageStats storage_stats() const;

 private:
  // kNameInvalid, or kBlobUnknown unless `repository` holds a link to `digest`.
  [[nodiscard]] common::Status require_held(std::string_view repository,
                                            const common::Digest& digest);
  // kManifestBlobUnknown unless each blob's file exists, kManifestInvalid unless its size is
  // the descriptor's. REQUIRES: blob_lock_ held (shared).
  [[nodiscard]] common::Status check_blob_files(const common::oci::Manifest& manifest);
  RegistryService(RegistryConfig config, common::log::Logger logger, RegistryEnv env,
                  common::fs::DirLock lock, std::unique_ptr<meta::MetadataStore> metadata);

  RegistryConfig config_;
  common::log::Logger logger_;
  RegistryEnv env_;
  common::fs::DirLock lock_;
  storage::StoragePaths paths_;
  storage::FsBlobStore blobs_;
  storage::UploadStore uploads_;
  std::unique_ptr<meta::MetadataStore> metadata_;
  common::MemoryBudget manifest_budget_;
  meta::ManifestCache cache_;
  // Orders the existence of blob files against their references. Shared: publishing a blob
  // together with its link, mounting, committing a manifest over its blobs. Exclusive:
  // garbage collection deciding and removing one blob. Taken before the metadata store's
  // write lock, never after.
  std::shared_mutex blob_lock_;
  // Held across a manifest write and its cache update, so the cache sees writes in commit order.
  std::mutex manifest_write_mutex_;
};

}  // namespace registry
