// UploadStore: blob upload sessions staged under <root>/uploads/<id>/ until commit() verifies
// the bytes against the client's digest and publishes them into the FsBlobStore. Sessions
// survive a restart: the data file holds every byte received, and a session whose running
// hash was lost is re-hashed from disk, so an interrupted upload resumes from the offset
// that GET on the upload reports.
// Thread-safety: all calls are safe from any thread. A session is held by one user at a
// time (an UploadWriter, a commit, a purge check); a second concurrent writer or commit gets
// kBlobUploadInvalid, and purge_idle() skips a session that is held.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "common/crypto/hasher.hpp"
#include "common/digest.hpp"
#include "common/fs/unique_fd.hpp"
#include "common/result.hpp"
#include "registry/storage/fs_blob_store.hpp"
#include "registry/storage/storage_paths.hpp"
#include "registry/storage/upload_id.hpp"

namespace registry::storage {

struct UploadState {
  UploadId id;
  std::string repository;
  std::uint64_t size = 0;  // bytes received
  std::int64_t started_unix = 0;
  std::int64_t last_active_unix = 0;
};

class UploadStore;

// Appends to one upload session; returns the running hash to the store when destroyed.
class UploadWriter {
 public:
  UploadWriter(UploadWriter&& other) noexcept;
  UploadWriter& operator=(UploadWriter&&) = delete;
  ~UploadWriter();

  // Appends `data`. On failure (disk full) the session is cut back to the size it had when
  // this writer was opened, giving the space back: a failed request leaves the session as
  // it found it, so the client can retry that request as it was.
  [[nodiscard]] common::Status write(std::string_view data);
  std::uint64_t size() const noexcept { return size_; }

 private:
  friend class UploadStore;
  UploadWriter(UploadStore* store, UploadId id, common::fs::UniqueFd fd,
               common::crypto::Hasher hasher, std::uint64_t size)
      : store_(store),
        id_(std::move(id)),
        fd_(std::move(fd)),
        start_hasher_(hasher),
        hasher_(std::move(hasher)),
        start_size_(size),
        size_(size) {}
  UploadStore* store_;
  UploadId id_;
  common::fs::UniqueFd fd_;
  common::crypto::Hasher start_hasher_;  // state at open, restored when a write fails
  common::crypto::Hasher hasher_;
  std::uint64_t start_size_;
  std::uint64_t size_;
  bool hash_valid_ = true;
};

class UploadStore {
 public:
  UploadStore(const StoragePaths& paths, FsBlobStore& blobs) : paths_(paths), blobs_(blobs) {}

  [[nodiscard]] common::Status init();
  // Starts a session for `repository`.
  [[nodiscard]] common::Result<UploadState> create(std::string_view repository);
  // kBlobUploadUnknown when no such session exists.
  [[nodiscard]] common::Result<UploadState> get(const UploadId& id) const;
  // Opens the session for appending. `offset`, when given, must equal the bytes received so
  // far (kRangeInvalid otherwise). kBlobUploadInvalid when another writer is active.
  [[nodiscard]] common::Result<UploadWriter> open_writer(const UploadId& id,
                                                         std::optional<std::uint64_t> offset);
  // Verifies the session's bytes against `digest` and publishes them as that blob; the
  // session ends either way. kDigestInvalid on mismatch; kBlobUploadInvalid (session kept)
  // while a writer is active. Returns the blob's size.
  // Blocking (fsync, possibly a re-hash): call off the I/O threads.
  [[nodiscard]] common::Result<std::uint64_t> commit(const UploadId& id,
                                                     const common::Digest& digest);
  // Ends the session and deletes its data; kBlobUploadInvalid while a request writes or
  // commits it.
  [[nodiscard]] common::Status cancel(const UploadId& id);
  // Deletes sessions with no activity since `cutoff_unix`; returns how many.
  [[nodiscard]] common::Result<std::size_t> purge_idle(std::int64_t cutoff_unix);

 private:
  friend class UploadWriter;
  struct Session {
    std::optional<common::crypto::Hasher> hasher;  // sha256 over the first `hashed` bytes
    std::uint64_t hashed = 0;
    bool busy = false;
  };
  // Marks the session busy (creating its entry); kBlobUploadInvalid when it is busy already.
  // Every check of a session's files happens under a claim, so it cannot change meanwhile.
  [[nodiscard]] common::Status claim(const UploadId& id);
  // Ends a claim, storing the writer's running hash over the first `hashed` bytes.
  void release(const UploadId& id, std::optional<common::crypto::Hasher> hasher,
               std::uint64_t hashed);
  // Ends a claim leaving the session's hash as it was; `forget` drops the entry entirely.
  void unclaim(const UploadId& id, bool forget);

  const StoragePaths& paths_;
  FsBlobStore& blobs_;
  mutable std::mutex mutex_;  // guards sessions_ (the in-memory state, not the files)
  std::unordered_map<UploadId, Session> sessions_;
};

}  // namespace registry::storage
