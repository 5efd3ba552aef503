// UploadStore: blob upload sessions staged under <root>/uploads/<id>/ until commit() verifies
// the bytes against the client's digest and publishes them into the FsBlobStore. Sessions
// survive a restart: the data file holds every byte received, and a session whose running
// hash was lost is re-hashed from disk, so an interrupted upload resumes from the offset
// that GET on the upload reports.
// Thread-safety: all calls are safe from any thread. A session is held by one user at a
// time through a SessionClaim (an UploadWriter, a commit, a cancel, a purge check). A
// request that finds another request holding it gets kBlobUploadInvalid; one that finds the
// purge checking it waits the few microseconds that takes, so garbage collection never
// fails a client's request; purge_idle() skips a session that a request holds.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "common/crypto/hasher.hpp"
#include "common/digest.hpp"
#include "common/fs/unique_fd.hpp"
#include "common/result.hpp"
#include "registry/registry_env.hpp"
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

// Exclusive use of one session, released when destroyed (RAII: no exit path can leak it).
// By default the release keeps the session's in-memory state; keep_hash() records the
// running hash a writer reached, forget() drops the state of a session that is gone.
class SessionClaim {
 public:
  SessionClaim(SessionClaim&& other) noexcept;
  SessionClaim& operator=(SessionClaim&&) = delete;
  ~SessionClaim();

  void keep_hash(std::optional<common::crypto::Hasher> hasher, std::uint64_t hashed);
  void forget() { forget_ = true; }

 private:
  friend class UploadStore;
  SessionClaim(UploadStore* store, UploadId id) : store_(store), id_(std::move(id)) {}
  UploadStore* store_;
  UploadId id_;
  bool forget_ = false;
  bool set_hash_ = false;
  std::optional<common::crypto::Hasher> hasher_;
  std::uint64_t hashed_ = 0;
};

// Appends to one upload session; returns the running hash to the store when destroyed.
class UploadWriter {
 public:
  UploadWriter(UploadWriter&& other) noexcept = default;
  UploadWriter& operator=(UploadWriter&&) = delete;
  ~UploadWriter();

  // Appends `data`. On failure (disk full) the session is cut back to the size it had when
  // this writer was opened, giving the space back: a failed request leaves the session as
  // it found it, so the client can retry that request as it was.
  [[nodiscard]] common::Status write(std::string_view data);
  std::uint64_t size() const noexcept { return size_; }

 private:
  friend class UploadStore;
  UploadWriter(SessionClaim claim, common::fs::FileSystem& fs, std::string path,
               common::fs::UniqueFd fd, common::crypto::Hasher hasher, std::uint64_t size)
      : claim_(std::move(claim)),
        fs_(&fs),
        path_(std::move(path)),
        fd_(std::move(fd)),
        start_hasher_(hasher),
        hasher_(std::move(hasher)),
        start_size_(size),
        size_(size) {}
  SessionClaim claim_;
  common::fs::FileSystem* fs_;
  std::string path_;
  common::fs::UniqueFd fd_;
  common::crypto::Hasher start_hasher_;  // state at open, restored when a write fails
  common::crypto::Hasher hasher_;
  std::uint64_t start_size_;
  std::uint64_t size_;
  bool hash_valid_ = true;
};

class UploadStore {
 public:
  UploadStore(const StoragePaths& paths, FsBlobStore& blobs, RegistryEnv env = {})
      : paths_(paths), blobs_(blobs), fs_(*env.fs), clock_(*env.clock) {}

  [[nodiscard]] common::Status init();
  // Starts a session for `repository`.
  [[nodiscard]] common::Result<UploadState> create(std::string_view repository);
  // kBlobUploadUnknown when no such session exists.
  [[nodiscard]] common::Result<UploadState> get(const UploadId& id) const;
  // Opens the session for appending. `offset`, when given, must equal the bytes received so
  // far (kRangeInvalid otherwise). kBlobUploadInvalid when another request holds it.
  [[nodiscard]] common::Result<UploadWriter> open_writer(const UploadId& id,
                                                         std::optional<std::uint64_t> offset);
  // What commit() does with the verified, fsynced staged file: make it the blob (and
  // anything that must happen together with that, such as linking it to a repository).
  using Adopt = std::function<common::Status(const std::string& staged)>;
  // Verifies the session's bytes against `digest` and hands them to `adopt` while the
  // session is still held; the session ends either way. kDigestInvalid on mismatch;
  // kBlobUploadInvalid (session kept) while a request holds it. Returns the blob's size.
  // Blocking (fsync, possibly a re-hash): call off the I/O threads.
  [[nodiscard]] common::Result<std::uint64_t> commit(const UploadId& id,
                                                     const common::Digest& digest,
                                                     const Adopt& adopt);
  // commit() that publishes into the blob store and does nothing more.
  [[nodiscard]] common::Result<std::uint64_t> commit(const UploadId& id,
                                                     const common::Digest& digest);
  // Ends the session and deletes its data; kBlobUploadInvalid while a request writes or
  // commits it.
  [[nodiscard]] common::Status cancel(const UploadId& id);
  // Deletes sessions with no activity since `cutoff_unix`; returns how many.
  [[nodiscard]] common::Result<std::size_t> purge_idle(std::int64_t cutoff_unix);

 private:
  friend class SessionClaim;
  enum class Holder { kNone, kRequest, kPurge };
  struct Session {
    std::optional<common::crypto::Hasher> hasher;  // sha256 over the first `hashed` bytes
    std::uint64_t hashed = 0;
    Holder holder = Holder::kNone;
  };
  // A request's claim: waits while the purge checks the session; kBlobUploadInvalid when
  // another request holds it.
  [[nodiscard]] common::Result<SessionClaim> claim(const UploadId& id);
  // The purge's claim: nullopt when anyone holds the session.
  [[nodiscard]] std::optional<SessionClaim> try_claim_for_purge(const UploadId& id);
  // Takes the running hash the session's last writer left, if any.
  std::pair<std::optional<common::crypto::Hasher>, std::uint64_t> take_hash(const UploadId& id);
  void release(SessionClaim& claim);

  const StoragePaths& paths_;
  FsBlobStore& blobs_;
  common::fs::FileSystem& fs_;
  const common::Clock& clock_;
  mutable std::mutex mutex_;  // guards sessions_ (the in-memory state, not the files)
  std::condition_variable released_;
  std::unordered_map<UploadId, Session> sessions_;
};

}  // namespace registry::storage
