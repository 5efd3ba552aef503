#include "registry/storage/upload_store.hpp"

#include <fcntl.h>
#include <sys/stat.h>

#include <cerrno>
#include <ctime>
#include <filesystem>

#include "common/fs/file_ops.hpp"
#include "common/fs/posix_error.hpp"

namespace registry::storage {

using common::ErrorCode;
using common::fail;

namespace {

common::Error upload_unknown() {
  return common::Error(ErrorCode::kBlobUploadUnknown, "blob upload unknown to registry");
}

std::int64_t now_unix() {
  return static_cast<std::int64_t>(std::time(nullptr));
}

}  // namespace

UploadWriter::UploadWriter(UploadWriter&& other) noexcept
    : store_(std::exchange(other.store_, nullptr)),
      id_(other.id_),
      fd_(std::move(other.fd_)),
      start_hasher_(std::move(other.start_hasher_)),
      hasher_(std::move(other.hasher_)),
      start_size_(other.start_size_),
      size_(other.size_),
      hash_valid_(other.hash_valid_) {}

UploadWriter::~UploadWriter() {
  if (store_ == nullptr) return;
  std::optional<common::crypto::Hasher> hasher;
  if (hash_valid_) hasher.emplace(std::move(hasher_));
  store_->release(id_, std::move(hasher), size_);
}

common::Status UploadWriter::write(std::string_view data) {
  const auto path = store_->paths_.upload_data(id_);
  if (auto status = common::fs::write_all(fd_.get(), data, path); !status) {
    // Give back everything this request appended, not just the failed chunk: on a full
    // disk that is the space, and the client's retry of the request then fits exactly.
    if (::ftruncate(fd_.get(), static_cast<off_t>(start_size_)) == 0 &&
        ::lseek(fd_.get(), static_cast<off_t>(start_size_), SEEK_SET) >= 0) {
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

common::Status UploadStore::init() {
  return common::fs::make_dirs(paths_.uploads_root());
}

common::Result<UploadState> UploadStore::create(std::string_view repository) {
  const auto id = UploadId::generate();
  {
    // Held while its files are being made, so purge_idle() never mistakes it for debris.
    std::lock_guard lock(mutex_);
    sessions_[id] = Session{common::crypto::Hasher(common::DigestAlgorithm::kSha256), 0, true};
  }
  if (auto status = common::fs::make_dirs(paths_.upload_dir(id)); !status) {
    unclaim(id, true);
    return fail(status.error());
  }
  const auto started = now_unix();
  std::string info(repository);
  info.append("\n").append(std::to_string(started)).append("\n");
  auto status = common::fs::atomic_write_file(paths_.upload_info(id), info);
  if (status) {
    auto fd = common::fs::open_file(paths_.upload_data(id), O_WRONLY | O_CREAT | O_TRUNC);
    if (!fd) status = fail(fd.error());
  }
  if (!status) {
    (void)common::fs::remove_tree(paths_.upload_dir(id));
    unclaim(id, true);
    return fail(status.error());
  }
  unclaim(id, false);
  return UploadState{id, std::string(repository), 0, started, started};
}

common::Result<UploadState> UploadStore::get(const UploadId& id) const {
  auto info = common::fs::read_file(paths_.upload_info(id));
  if (!info)
    return fail(info.error().code() == ErrorCode::kNotFound ? upload_unknown() : info.error());
  const auto newline = info->find('\n');
  if (newline == std::string::npos) return fail(upload_unknown());
  struct stat st {};
  const auto data = paths_.upload_data(id);
  if (::stat(data.c_str(), &st) != 0) {
    if (errno == ENOENT) return fail(upload_unknown());
    return fail(common::fs::posix_error("stat", data, errno));
  }
  UploadState state{id, info->substr(0, newline), static_cast<std::uint64_t>(st.st_size), 0,
                    st.st_mtim.tv_sec};
  state.started_unix = std::atoll(info->c_str() + newline + 1);
  return state;
}

common::Status UploadStore::claim(const UploadId& id) {
  std::lock_guard lock(mutex_);
  auto& session = sessions_[id];
  if (session.busy)
    return fail(ErrorCode::kBlobUploadInvalid, "upload is being written by another request");
  session.busy = true;
  return {};
}

void UploadStore::release(const UploadId& id, std::optional<common::crypto::Hasher> hasher,
                          std::uint64_t hashed) {
  std::lock_guard lock(mutex_);
  const auto it = sessions_.find(id);
  if (it == sessions_.end()) return;
  it->second.busy = false;
  it->second.hasher = std::move(hasher);
  it->second.hashed = hashed;
}

void UploadStore::unclaim(const UploadId& id, bool forget) {
  std::lock_guard lock(mutex_);
  if (forget) {
    sessions_.erase(id);
  } else if (const auto it = sessions_.find(id); it != sessions_.end()) {
    it->second.busy = false;
  }
}

common::Result<UploadWriter> UploadStore::open_writer(const UploadId& id,
                                                      std::optional<std::uint64_t> offset) {
  // Claim first: the size checked against `offset` must be the size the writer starts at.
  if (auto status = claim(id); !status) return fail(status.error());
  auto state = get(id);
  if (!state) {
    unclaim(id, state.error().code() == ErrorCode::kBlobUploadUnknown);
    return fail(state.error());
  }
  if (offset && *offset != state->size) {
    unclaim(id, false);
    return fail(ErrorCode::kRangeInvalid, "chunk does not start where the upload ends",
                std::to_string(state->size));
  }
  std::optional<common::crypto::Hasher> hasher;
  std::uint64_t hashed = 0;
  {
    std::lock_guard lock(mutex_);
    auto& session = sessions_[id];
    hashed = session.hashed;
    hasher = std::move(session.hasher);
    session.hasher.reset();
  }
  const auto path = paths_.upload_data(id);
  auto fd = common::fs::open_file(path, O_RDWR);
  if (!fd) {
    release(id, std::nullopt, 0);
    return fail(fd.error());
  }
  if (!hasher || hashed != state->size) {
    // Lost or stale running hash (restart, failed write): catch up from the data on disk.
    hasher.emplace(common::DigestAlgorithm::kSha256);
    if (auto status = common::crypto::hash_fd(fd->get(), *hasher); !status) {
      release(id, std::nullopt, 0);
      return fail(status.error());
    }
  }
  if (::lseek(fd->get(), static_cast<off_t>(state->size), SEEK_SET) < 0) {
    release(id, std::nullopt, 0);
    return fail(common::fs::posix_error("lseek", path, errno));
  }
  return UploadWriter(this, id, std::move(*fd), std::move(*hasher), state->size);
}

common::Result<std::uint64_t> UploadStore::commit(const UploadId& id,
                                                  const common::Digest& digest) {
  // The claim is held until the session's files are gone, so no writer can slip in
  // between the verification and the publish.
  if (auto status = claim(id); !status) return fail(status.error());
  auto state = get(id);
  if (!state) {
    unclaim(id, state.error().code() == ErrorCode::kBlobUploadUnknown);
    return fail(state.error());
  }
  std::optional<common::crypto::Hasher> hasher;
  std::uint64_t hashed = 0;
  {
    std::lock_guard lock(mutex_);
    auto& session = sessions_[id];
    hasher = std::move(session.hasher);
    hashed = session.hashed;
  }
  const auto path = paths_.upload_data(id);
  auto finish = [&]() -> common::Result<std::uint64_t> {
    auto fd = common::fs::open_file(path, O_RDONLY);
    if (!fd) return fail(fd.error());
    if (auto status = common::fs::sync_fd(fd->get(), path); !status) return fail(status.error());
    common::Result<common::Digest> actual =
        (hasher && hashed == state->size && digest.algorithm() == common::DigestAlgorithm::kSha256)
            ? common::Result<common::Digest>(hasher->digest())
            : common::crypto::digest_of_fd(fd->get(), digest.algorithm());
    if (!actual) return fail(actual.error());
    if (*actual != digest) {
      return fail(ErrorCode::kDigestInvalid, "provided digest did not match uploaded content",
                  "expected " + digest.str() + ", got " + actual->str());
    }
    if (auto status = blobs_.publish(path, digest); !status) return fail(status.error());
    return state->size;
  };
  auto result = finish();
  (void)common::fs::remove_tree(paths_.upload_dir(id));
  unclaim(id, true);
  return result;
}

common::Status UploadStore::cancel(const UploadId& id) {
  if (auto state = get(id); !state) return fail(state.error());
  // A session being written or committed is not pulled from under that request.
  if (auto status = claim(id); !status) return status;
  auto removed = common::fs::remove_tree(paths_.upload_dir(id));
  unclaim(id, true);
  return removed;
}

common::Result<std::size_t> UploadStore::purge_idle(std::int64_t cutoff_unix) {
  std::size_t purged = 0;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(paths_.uploads_root(), ec)) {
    auto id = UploadId::parse(entry.path().filename().string());
    if (!id) continue;
    if (!claim(*id)) continue;  // being created, written or committed: not idle
    auto state = get(*id);
    // A session without data is debris of a crash between publish and cleanup.
    const bool idle = !state || state->last_active_unix < cutoff_unix;
    if (!idle) {
      unclaim(*id, false);
      continue;
    }
    if (common::fs::remove_tree(entry.path().string())) ++purged;
    unclaim(*id, true);
  }
  if (ec) return fail(common::fs::posix_error("list", paths_.uploads_root(), ec.value()));
  return purged;
}

}  // namespace registry::storage
