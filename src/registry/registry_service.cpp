#include "registry/registry_service.hpp"

#include <ctime>
#include <nlohmann/json.hpp>

#include "common/crypto/hasher.hpp"
#include "common/fs/file_ops.hpp"
#include "common/oci/manifest.hpp"
#include "common/oci/repository_name.hpp"

namespace registry {

using common::ErrorCode;
using common::fail;

namespace {

std::int64_t now_unix() {
  return static_cast<std::int64_t>(std::time(nullptr));
}

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

}  // namespace

RegistryService::RegistryService(RegistryConfig config, common::log::Logger logger,
                                 common::fs::DirLock lock,
                                 std::unique_ptr<meta::MetadataStore> metadata)
    : config_(std::move(config)),
      logger_(std::move(logger)),
      lock_(std::move(lock)),
      paths_(config_.data_dir),
      blobs_(paths_),
      uploads_(paths_, blobs_),
      metadata_(std::move(metadata)),
      index_(*metadata_) {}

common::Result<std::unique_ptr<RegistryService>> RegistryService::open(RegistryConfig config,
                                                                       common::log::Logger logger) {
  if (config.data_dir.empty()) return fail(ErrorCode::kInvalidArgument, "data directory not set");
  if (auto status = common::fs::make_dirs(config.data_dir); !status) return fail(status.error());
  auto lock = common::fs::DirLock::acquire(config.data_dir);
  if (!lock) return fail(lock.error());
  const storage::StoragePaths paths(config.data_dir);
  auto metadata = meta::MetadataStore::open(paths.database());
  if (!metadata) return fail(metadata.error());
  std::unique_ptr<RegistryService> service(new RegistryService(
      std::move(config), std::move(logger), std::move(*lock), std::move(*metadata)));
  if (auto status = service->blobs_.init(); !status) return fail(status.error());
  if (auto status = service->uploads_.init(); !status) return fail(status.error());
  return service;
}

common::Result<std::shared_ptr<const meta::CachedManifest>> RegistryService::get_manifest(
    std::string_view repository, std::string_view reference) {
  if (auto status = common::oci::validate_repository_name(repository); !status)
    return fail(status.error());
  if (auto status = validate_reference(reference); !status) return fail(status.error());
  return index_.lookup(repository, reference);
}

common::Result<PutManifestResult> RegistryService::put_manifest(std::string_view repository,
                                                                std::string_view reference,
                                                                std::string_view content,
                                                                std::string_view content_type) {
  if (auto status = common::oci::validate_repository_name(repository); !status)
    return fail(status.error());
  if (auto status = validate_reference(reference); !status) return fail(status.error());
  if (content.size() > config_.max_manifest_bytes) {
    return fail(ErrorCode::kTooLarge, "manifest too large",
                "limit is " + std::to_string(config_.max_manifest_bytes) + " bytes");
  }
  auto parsed = common::oci::parse_manifest(content, content_type);
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

  meta::NewManifest record{digest,
                           parsed->media_type,
                           parsed->artifact_type,
                           std::nullopt,
                           "{}",
                           std::string(content),
                           {},
                           {}};
  if (parsed->subject) record.subject = parsed->subject->digest;
  if (!parsed->annotations.empty())
    record.annotations_json = nlohmann::json(parsed->annotations).dump();
  if (parsed->config) record.blobs.push_back(parsed->config->digest);
  for (const auto& layer : parsed->layers) record.blobs.push_back(layer.digest);
  for (const auto& child : parsed->manifests) record.manifests.push_back(child.digest);

  std::lock_guard order(manifest_write_mutex_);
  if (auto status = metadata_->put_manifest(repository, record, tag); !status)
    return fail(status.error());
  index_.on_put(
      repository,
      meta::StoredManifest{digest, record.media_type,
                           std::make_shared<const std::string>(std::move(record.content))},
      tag);
  return PutManifestResult{std::move(digest), record.subject};
}

common::Status RegistryService::delete_manifest(std::string_view repository,
                                                std::string_view reference) {
  if (auto status = common::oci::validate_repository_name(repository); !status) return status;
  if (auto status = validate_reference(reference); !status) return status;
  std::lock_guard order(manifest_write_mutex_);
  if (!is_digest_reference(reference)) {
    if (auto status = metadata_->delete_tag(repository, reference); !status) return status;
    index_.on_delete_tag(repository, reference);
    return {};
  }
  const auto digest = common::Digest::parse(reference).value();
  if (auto status = metadata_->delete_manifest(repository, digest); !status) return status;
  index_.on_delete_manifest(repository, digest);
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
  auto size = uploads_.commit(state->id, digest);
  if (!size) return fail(size.error());
  if (auto status = metadata_->link_blob(repository, digest); !status) return fail(status.error());
  return size;
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
  const auto now = now_unix();
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
  // Sweep: each candidate is re-checked and unlinked under the blob store's lock.
  for (const auto& [digest, size] : candidates) {
    auto removed = blobs_.remove_if_unreferenced(
        digest, cutoff, [&, &d = digest] { return metadata_->drop_blob_if_unreferenced(d); });
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

common::Result<StorageStats> RegistryService::storage_stats() const {
  StorageStats stats;
  auto walked = blobs_.for_each([&](const common::Digest&, const storage::BlobStat& stat) {
    ++stats.blobs;
    stats.bytes += stat.size;
  });
  if (!walked) return fail(walked.error());
  return stats;
}

}  // namespace registry
