#include "registry/registry_service.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "common/crypto/hasher.hpp"
#include "common/fs/file_ops.hpp"
#include "common/oci/manifest.hpp"
#include "common/oci/repository_name.hpp"

namespace registry {

using common::ErrorCode;
using common::fail;

namespace {

bool is_digest_reference(std::string_view reference) {
  return reference.find(':') != std::string_view::npos;
}

// Validates a manifest reference: a tag or a digest.
common::Status validate_reference(std::string_view reference) {
  if (is_digest_reference(reference)) {
    auto digest = common::Digest::parse(reference);
    if (!digest) return fail(digest.error());
    return {};
  }
  if (!common::oci::is_valid_tag(reference)) {
    return fail(ErrorCode::kManifestInvalid, "invalid tag", std::string(reference.substr(0, 200)));
  }
  return {};
}

// A pull can only find what a push could have stored: a reference that is no valid tag or
// digest names nothing (the spec's "pulling manifests" allows 404 only).
common::Status validate_pull_reference(std::string_view reference) {
  if (validate_reference(reference)) return {};
  return fail(ErrorCode::kManifestUnknown, "manifest unknown to registry",
              std::string(reference.substr(0, 200)));
}

}  // namespace

RegistryService::RegistryService(RegistryConfig config, common::log::Logger logger, RegistryEnv env,
                                 common::fs::DirLock lock,
                                 std::unique_ptr<meta::MetadataStore> metadata)
    : config_(std::move(config)),
      logger_(std::move(logger)),
      env_(env),
      lock_(std::move(lock)),
      paths_(config_.data_dir),
      blobs_(paths_, env_),
      uploads_(paths_, blobs_, env_),
      metadata_(std::move(metadata)),
      manifest_budget_(config_.manifest_memory_bytes),
      cache_(*metadata_, manifest_budget_, config_.manifest_cache_bytes) {}

common::Result<std::unique_ptr<RegistryService>> RegistryService::open(RegistryConfig config,
                                                                       common::log::Logger logger,
                                                                       RegistryEnv env) {
  if (config.data_dir.empty()) return fail(ErrorCode::kInvalidArgument, "data directory not set");
  if (auto status = common::fs::make_dirs(config.data_dir, *env.fs); !status)
    return fail(status.error());
  auto lock = common::fs::DirLock::acquire(config.data_dir);
  if (!lock) return fail(lock.error());
  const storage::StoragePaths paths(config.data_dir);
  auto metadata = meta::MetadataStore::open(paths.database(), *env.clock);
  if (!metadata) return fail(metadata.error());
  std::unique_ptr<RegistryService> service(new RegistryService(
      std::move(config), std::move(logger), env, std::move(*lock), std::move(*metadata)));
  if (auto status = service->blobs_.init(); !status) return fail(status.error());
  if (auto status = service->uploads_.init(); !status) return fail(status.error());
  return service;
}

std::optional<RegistryService::ManifestAnswer> RegistryService::cached_manifest(
    std::string_view repository, std::string_view reference) {
  if (auto status = common::oci::validate_repository_name(repository); !status)
    return fail(status.error());
  if (auto status = validate_pull_reference(reference); !status) return fail(status.error());
  return cache_.find(repository, reference);
}

RegistryService::ManifestAnswer RegistryService::get_manifest(std::string_view repository,
                                                              std::string_view reference) {
  if (auto cached = cached_manifest(repository, reference)) return std::move(*cached);
  return cache_.load(repository, reference);
}

common::Status RegistryService::check_blob_files(const common::oci::Manifest& manifest) {
  auto check = [&](const common::oci::Descriptor& descriptor) -> common::Status {
    auto stat = blobs_.stat(descriptor.digest);
    if (!stat) {
      if (stat.error().code() != ErrorCode::kBlobUnknown) return fail(stat.error());
      return fail(ErrorCode::kManifestBlobUnknown, "manifest references an unknown blob",
                  descriptor.digest.str());
    }
    if (stat->size != static_cast<std::uint64_t>(descriptor.size)) {
      return fail(ErrorCode::kManifestInvalid, "descriptor size does not match the blob",
                  descriptor.digest.str() + " has " + std::to_string(stat->size) +
                      " bytes, the descriptor says " + std::to_string(descriptor.size));
    }
    return {};
  };
  if (manifest.config) {
    if (auto status = check(*manifest.config); !status) return status;
  }
  for (const auto& layer : manifest.layers) {
    if (auto status = check(layer); !status) return status;
  }
  return {};
}

common::Result<PutManifestResult> RegistryService::put_manifest(
    std::string_view repository, std::string_view reference, std::string_view content,
    std::string_view content_type, common::MemoryBudget::Reservation* reservation) {
  if (auto status = common::oci::validate_repository_name(repository); !status)
    return fail(status.error());
  if (auto status = validate_reference(reference); !status) return fail(status.error());
  if (content.size() > config_.max_manifest_bytes) {
    return fail(ErrorCode::kTooLarge, "manifest too large",
                "limit is " + std::to_string(config_.max_manifest_bytes) + " bytes");
  }
  common::oci::ParseLimits limits;
  limits.reservation = reservation;
  auto parsed = common::oci::parse_manifest(content, content_type, limits);
  if (!parsed) return fail(parsed.error());

  std::optional<std::string_view> tag;
  auto digest = common::crypto::digest_of(content);
  if (is_digest_reference(reference)) {
    const auto claimed = common::Digest::parse(reference).value();
    const auto actual = claimed.algorithm() == digest.algorithm()
                            ? digest
                            : common::crypto::digest_of(content, claimed.algorithm());
    if (actual != claimed) {
      return fail(ErrorCode::kDigestInvalid, "manifest digest did not match content",
                  "expected " + claimed.str() + ", got " + actual.str());
    }
    digest = claimed;
  } else {
    tag = reference;
  }

  meta::NewManifest record{
      digest, parsed->media_type, parsed->artifact_type, std::nullopt, "{}", content, {}, {}};
  if (parsed->subject) record.subject = parsed->subject->digest;
  // Annotations are served by the referrers API only, so only a manifest with a subject
  // stores them.
  if (parsed->subject && !parsed->annotations.empty())
    record.annotations_json = nlohmann::json(parsed->annotations).dump();
  if (parsed->config) record.blobs.push_back(parsed->config->digest);
  for (const auto& layer : parsed->layers) record.blobs.push_back(layer.digest);
  for (const auto& child : parsed->manifests) record.manifests.push_back(child.digest);
  // An index may list one child many times: check and record each once, so the write
  // transaction (which every other push waits for) stays short.
  for (auto* digests : {&record.blobs, &record.manifests}) {
    std::sort(digests->begin(), digests->end());
    digests->erase(std::unique(digests->begin(), digests->end()), digests->end());
  }

  std::shared_lock blobs_stay(blob_lock_);
  if (auto status = check_blob_files(*parsed); !status) return fail(status.error());
  std::lock_guard order(manifest_write_mutex_);
  if (auto status = metadata_->put_manifest(repository, record, tag); !status)
    return fail(status.error());
  cache_.on_put(repository, digest, tag);
  return PutManifestResult{std::move(digest), record.subject};
}

common::Status RegistryService::delete_manifest(std::string_view repository,
                                                std::string_view reference) {
  if (auto status = common::oci::validate_repository_name(repository); !status) return status;
  if (auto status = validate_reference(reference); !status) return status;
  std::lock_guard order(manifest_write_mutex_);
  if (!is_digest_reference(reference)) {
    if (auto status = metadata_->delete_tag(repository, reference); !status) return status;
    cache_.on_delete_tag(repository, reference);
    return {};
  }
  const auto digest = common::Digest::parse(reference).value();
  if (auto status = metadata_->delete_manifest(repository, digest); !status) return status;
  cache_.on_delete_manifest(repository, digest);
  return {};
}

common::Status RegistryService::require_held(std::string_view repository,
                                             const common::Digest& digest) {
  if (auto status = common::oci::validate_repository_name(repository); !status) return status;
  auto held = metadata_->has_blob(repository, digest);
  if (!held) return fail(held.error());
  if (!*held) return fail(ErrorCode::kBlobUnknown, "blob unknown to registry", digest.str());
  return {};
}

common::Result<std::uint64_t> RegistryService::stat_blob(std::string_view repository,
                                                         const common::Digest& digest) {
  if (auto held = require_held(repository, digest); !held) return fail(held.error());
  auto stat = blobs_.stat(digest);
  if (!stat) return fail(stat.error());
  return stat->size;
}

common::Result<storage::OpenBlob> RegistryService::open_blob(std::string_view repository,
                                                             const common::Digest& digest) {
  if (auto held = require_held(repository, digest); !held) return fail(held.error());
  return blobs_.open(digest);
}

common::Status RegistryService::delete_blob(std::string_view repository,
                                            const common::Digest& digest) {
  if (auto status = common::oci::validate_repository_name(repository); !status) return status;
  return metadata_->unlink_blob(repository, digest);
}

common::Result<bool> RegistryService::mount_blob(std::string_view repository, std::string_view from,
                                                 const common::Digest& digest) {
  if (auto status = common::oci::validate_repository_name(repository); !status)
    return fail(status.error());
  if (!common::oci::validate_repository_name(from)) return false;
  std::shared_lock blobs_stay(blob_lock_);
  auto held = metadata_->has_blob(from, digest);
  if (!held) return fail(held.error());
  if (!*held) return false;
  if (auto status = blobs_.retain(digest); !status) {
    if (status.error().code() == ErrorCode::kBlobUnknown) return false;
    return fail(status.error());
  }
  if (auto status = metadata_->link_blob(repository, digest); !status) return fail(status.error());
  return true;
}

common::Result<bool> RegistryService::link_stored_blob(std::string_view repository,
                                                       const common::Digest& digest) {
  if (auto status = common::oci::validate_repository_name(repository); !status)
    return fail(status.error());
  std::shared_lock blobs_stay(blob_lock_);
  if (auto status = blobs_.retain(digest); !status) {
    if (status.error().code() == ErrorCode::kBlobUnknown) return false;
    return fail(status.error());
  }
  if (auto status = metadata_->link_blob(repository, digest); !status) return fail(status.error());
  return true;
}

common::Result<storage::UploadState> RegistryService::start_upload(std::string_view repository) {
  if (auto status = common::oci::validate_repository_name(repository); !status)
    return fail(status.error());
  return uploads_.create(repository);
}

common::Result<storage::UploadState> RegistryService::upload_status(std::string_view repository,
                                                                    std::string_view id) {
  if (auto status = common::oci::validate_repository_name(repository); !status)
    return fail(status.error());
  auto parsed = storage::UploadId::parse(id);
  if (!parsed) return fail(parsed.error());
  auto state = uploads_.get(*parsed);
  if (!state) return fail(state.error());
  if (state->repository != repository)
    return fail(ErrorCode::kBlobUploadUnknown, "blob upload unknown to registry");
  return state;
}

common::Result<storage::UploadWriter> RegistryService::open_upload(
    std::string_view repository, std::string_view id, std::optional<std::uint64_t> offset) {
  auto state = upload_status(repository, id);
  if (!state) return fail(state.error());
  return uploads_.open_writer(state->id, offset);
}

common::Result<std::uint64_t> RegistryService::finish_upload(std::string_view repository,
                                                             std::string_view id,
                                                             const common::Digest& digest) {
  auto state = upload_status(repository, id);
  if (!state) return fail(state.error());
  // The blob becomes visible and linked as one step as far as GC can see.
  return uploads_.commit(state->id, digest, [&](const std::string& staged) -> common::Status {
    std::shared_lock blobs_stay(blob_lock_);
    if (auto status = blobs_.publish(staged, digest); !status) return status;
    return metadata_->link_blob(repository, digest);
  });
}

common::Status RegistryService::cancel_upload(std::string_view repository, std::string_view id) {
  auto state = upload_status(repository, id);
  if (!state) return fail(state.error());
  return uploads_.cancel(state->id);
}

common::Result<std::vector<std::string>> RegistryService::list_tags(std::string_view repository,
                                                                    std::size_t limit,
                                                                    std::string_view last) {
  if (auto status = common::oci::validate_repository_name(repository); !status)
    return fail(status.error());
  return metadata_->list_tags(repository, limit, last);
}

common::Result<std::vector<std::string>> RegistryService::list_repositories(std::size_t limit,
                                                                            std::string_view last) {
  return metadata_->list_repositories(limit, last);
}

common::Result<std::vector<meta::Referrer>> RegistryService::referrers(
    std::string_view repository, const common::Digest& subject, std::string_view artifact_type) {
  if (auto status = common::oci::validate_repository_name(repository); !status)
    return fail(status.error());
  return metadata_->referrers(repository, subject, artifact_type);
}

common::Result<GcReport> RegistryService::collect_garbage() {
  GcReport report;
  const auto now = unix_seconds(*env_.clock);
  const auto cutoff = now - config_.gc_grace.count();
  // Mark: the manifest_references index is the live set; candidates are the old blobs.
  std::vector<std::pair<common::Digest, std::uint64_t>> candidates;
  auto walked = blobs_.for_each([&](const common::Digest& digest, const storage::BlobStat& stat) {
    if (stat.modified_unix <= cutoff)
      candidates.emplace_back(digest, stat.size);
    else
      ++report.blobs_kept;
  });
  if (!walked) return fail(walked.error());
  // Sweep: each candidate is re-checked, dropped from the metadata and deleted under the
  // blob lock, so no upload, mount or manifest commit sees it half gone.
  for (const auto& [digest, size] : candidates) {
    auto removed = [&, &digest = digest]() -> common::Result<bool> {
      std::unique_lock decide(blob_lock_);
      auto current = blobs_.stat(digest);
      if (!current) {
        if (current.error().code() == ErrorCode::kBlobUnknown) return false;
        return fail(current.error());
      }
      if (current->modified_unix > cutoff) return false;  // published or mounted meanwhile
      auto unreferenced = metadata_->drop_blob_if_unreferenced(digest);
      if (!unreferenced || !*unreferenced) return unreferenced;
      return blobs_.remove(digest);
    }();
    if (!removed) return fail(removed.error());
    if (*removed) {
      ++report.blobs_deleted;
      report.bytes_freed += size;
    } else {
      ++report.blobs_kept;
    }
  }
  auto purged = uploads_.purge_idle(now - config_.upload_max_idle.count());
  if (!purged) return fail(purged.error());
  report.uploads_purged = *purged;
  logger_->info("gc: deleted {} blobs ({} bytes), kept {}, purged {} stale uploads",
                report.blobs_deleted, report.bytes_freed, report.blobs_kept, report.uploads_purged);
  return report;
}

StorageStats RegistryService::storage_stats() const {
  const auto totals = blobs_.totals();
  return StorageStats{totals.blobs, totals.bytes};
}

}  // namespace registry
