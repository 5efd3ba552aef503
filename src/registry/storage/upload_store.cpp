#include "registry/storage/upload_store.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

#include "common/fs/file_ops.hpp"
#include "common/fs/posix_error.hpp"

namespace registry::storage {

using common::ErrorCode;
using common::fail;

namespace {

common::Error upload_unknown() {
  return common::Error(ErrorCode::kBlobUploadUnknown, "blob upload unknown to registry");
}

}  // namespace

SessionClaim::SessionClaim(SessionClaim&& other) noexcept
    : store_(std::exchange(other.store_, nullptr)),
      id_(other.id_),
      forget_(other.forget_),
      set_hash_(other.set_hash_),
      hasher_(std::move(other.hasher_)),
      hashed_(other.hashed_) {}

SessionClaim::~SessionClaim() {
  if (store_ != nullptr) store_->release(*this);
}

void SessionClaim::keep_hash(std::optional<common::crypto::Hasher> hasher, std::uint64_t hashed) {
  set_hash_ = true;
  hasher_ = std::move(hasher);
  hashed_ = hashed;
}

UploadWriter::~UploadWriter() {
  std::optional<common::crypto::Hasher> hasher;
  if (hash_valid_) hasher.emplace(std::move(hasher_));
  claim_.keep_hash(std::move(hasher), size_);
}

common::Status UploadWriter::write(std::string_view data) {
  if (auto status = fs_->write(fd_.get(), data, path_); !status) {
    // Give back everything this request appended, not just the failed chunk: on a full
    // disk that is the space, and the client's retry of the request then fits exactly.
    if (fs_->truncate(fd_.get(), start_size_, path_)) {
      size_ = start_size_;
      hasher_ = start_hasher_;
    } else {
      hash_valid_ = false;  // the file's length is unknown: the next writer re-hashes it
    }
    return status;
  }
  hasher_.update(data);
  size_ += data.size();
  return {};
}

common::Result<SessionClaim> UploadStore::claim(const UploadId& id) {
  std::unique_lock lock(mutex_);
  released_.wait(lock, [&] {
    const auto it = sessions_.find(id);
    return it == sessions_.end() || it->second.holder != Holder::kPurge;
  });
  auto& session = sessions_[id];
  if (session.holder == Holder::kRequest)
    return fail(ErrorCode::kBlobUploadInvalid, "upload is being written by another request");
  session.holder = Holder::kRequest;
  return SessionClaim(this, id);
}

std::optional<SessionClaim> UploadStore::try_claim_for_purge(const UploadId& id) {
  std::lock_guard lock(mutex_);
  auto& session = sessions_[id];
  if (session.holder != Holder::kNone) return std::nullopt;
  session.holder = Holder::kPurge;
  return SessionClaim(this, id);
}

void UploadStore::release(SessionClaim& claim) {
  {
    std::lock_guard lock(mutex_);
    const auto it = sessions_.find(claim.id_);
    if (it != sessions_.end()) {
      if (claim.forget_) {
        sessions_.erase(it);
      } else {
        it->second.holder = Holder::kNone;
        if (claim.set_hash_) {
          it->second.hasher = std::move(claim.hasher_);
          it->second.hashed = claim.hashed_;
        }
      }
    }
  }
  released_.notify_all();
}

std::pair<std::optional<common::crypto::Hasher>, std::uint64_t> UploadStore::take_hash(
    const UploadId& id) {
  std::lock_guard lock(mutex_);
  auto& session = sessions_[id];
  auto hasher = std::move(session.hasher);
  session.hasher.reset();
  return {std::move(hasher), session.hashed};
}

common::Status UploadStore::init() {
  return common::fs::make_dirs(paths_.uploads_root(), fs_);
}

common::Result<UploadState> UploadStore::create(std::string_view repository) {
  const auto id = UploadId::generate();
  // Held while its files are being made, so purge_idle() never mistakes it for debris.
  auto held = claim(id);
  if (!held) return fail(held.error());
  held->keep_hash(common::crypto::Hasher(common::DigestAlgorithm::kSha256), 0);
  if (auto status = common::fs::make_dirs(paths_.upload_dir(id), fs_); !status) {
    held->forget();
    return fail(status.error());
  }
  const auto started = unix_seconds(clock_);
  std::string info(repository);
  info.append("\n").append(std::to_string(started)).append("\n");
  auto status = common::fs::atomic_write_file(paths_.upload_info(id), info, fs_);
  if (status) {
    auto fd = fs_.open(paths_.upload_data(id), O_WRONLY | O_CREAT | O_TRUNC);
    if (!fd) status = fail(fd.error());
  }
  if (!status) {
    (void)fs_.remove_tree(paths_.upload_dir(id));
    held->forget();
    return fail(status.error());
  }
  return UploadState{id, std::string(repository), 0, started, started};
}

common::Result<UploadState> UploadStore::get(const UploadId& id) const {
  auto info = common::fs::read_file(paths_.upload_info(id), fs_);
  if (!info)
    return fail(info.error().code() == ErrorCode::kNotFound ? upload_unknown() : info.error());
  const auto newline = info->find('\n');
  if (newline == std::string::npos) return fail(upload_unknown());
  auto data = fs_.stat(paths_.upload_data(id));
  if (!data) {
    if (data.error().code() == ErrorCode::kNotFound) return fail(upload_unknown());
    return fail(data.error());
  }
  UploadState state{id, info->substr(0, newline), data->size, 0, data->modified_unix};
  state.started_unix = std::atoll(info->c_str() + newline + 1);
  return state;
}

common::Result<UploadWriter> UploadStore::open_writer(const UploadId& id,
                                                      std::optional<std::uint64_t> offset) {
  // Claim first: the size checked against `offset` must be the size the writer starts at.
  auto held = claim(id);
  if (!held) return fail(held.error());
  auto state = get(id);
  if (!state) {
    if (state.error().code() == ErrorCode::kBlobUploadUnknown) held->forget();
    return fail(state.error());
  }
  if (offset && *offset != state->size) {
    return fail(ErrorCode::kRangeInvalid, "chunk does not start where the upload ends",
                std::to_string(state->size));
  }
  auto [hasher, hashed] = take_hash(id);
  const auto path = paths_.upload_data(id);
  auto fd = fs_.open(path, O_RDWR);
  if (!fd) return fail(fd.error());
  if (!hasher || hashed != state->size) {
    // Lost or stale running hash (restart, failed write): catch up from the data on disk.
    hasher.emplace(common::DigestAlgorithm::kSha256);
    if (auto status = common::crypto::hash_fd(fd->get(), *hasher); !status)
      return fail(status.error());
  }
  if (::lseek(fd->get(), static_cast<off_t>(state->size), SEEK_SET) < 0)
    return fail(common::fs::posix_error("lseek", path, errno));
  return UploadWriter(std::move(*held), fs_, path, std::move(*fd), std::move(*hasher), state->size);
}

common::Result<std::uint64_t> UploadStore::commit(const UploadId& id,
                                                  const common::Digest& digest) {
  return commit(id, digest,
                [&](const std::string& staged) { return blobs_.publish(staged, digest); });
}

common::Result<std::uint64_t> UploadStore::commit(const UploadId& id, const common::Digest& digest,
                                                  const Adopt& adopt) {
  // The claim is held until the session's files are gone, so no writer can slip in
  // between the verification and the publish.
  auto held = claim(id);
  if (!held) return fail(held.error());
  auto state = get(id);
  if (!state) {
    if (state.error().code() == ErrorCode::kBlobUploadUnknown) held->forget();
    return fail(state.error());
  }
  auto [hasher, hashed] = take_hash(id);
  const auto path = paths_.upload_data(id);
  auto finish = [&]() -> common::Result<std::uint64_t> {
    auto fd = fs_.open(path, O_RDONLY);
    if (!fd) return fail(fd.error());
    if (auto status = fs_.sync(fd->get(), path); !status) return fail(status.error());
    common::Result<common::Digest> actual =
        (hasher && hashed == state->size && digest.algorithm() == common::DigestAlgorithm::kSha256)
            ? common::Result<common::Digest>(hasher->digest())
            : common::crypto::digest_of_fd(fd->get(), digest.algorithm());
    if (!actual) return fail(actual.error());
    if (*actual != digest) {
      return fail(ErrorCode::kDigestInvalid, "provided digest did not match uploaded content",
                  "expected " + digest.str() + ", got " + actual->str());
    }
    if (auto status = adopt(path); !status) return fail(status.error());
    return state->size;
  };
  auto result = finish();
  (void)fs_.remove_tree(paths_.upload_dir(id));
  held->forget();
  return result;
}

common::Status UploadStore::cancel(const UploadId& id) {
  if (auto state = get(id); !state) return fail(state.error());
  // A session being written or committed is not pulled from under that request.
  auto held = claim(id);
  if (!held) return fail(held.error());
  held->forget();
  return fs_.remove_tree(paths_.upload_dir(id));
}

common::Result<std::size_t> UploadStore::purge_idle(std::int64_t cutoff_unix) {
  auto names = fs_.list_dir(paths_.uploads_root());
  if (!names) {
    if (names.error().code() == ErrorCode::kNotFound) return std::size_t{0};
    return fail(names.error());
  }
  std::size_t purged = 0;
  for (const auto& name : *names) {
    auto id = UploadId::parse(name);
    if (!id) continue;
    auto held = try_claim_for_purge(*id);
    if (!held) continue;  // being created, written or committed: not idle
    auto state = get(*id);
    // A session without its files is debris of a crash between publish and cleanup; one
    // that cannot be read now (an I/O error) is left for a later run.
    const bool debris = !state && state.error().code() == ErrorCode::kBlobUploadUnknown;
    if (!debris && (!state || state->last_active_unix >= cutoff_unix)) continue;
    held->forget();
    if (fs_.remove_tree(paths_.upload_dir(*id))) ++purged;
  }
  return purged;
}

}  // namespace registry::storage
