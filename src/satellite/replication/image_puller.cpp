#include "satellite/replication/image_puller.hpp"

#include <fmt/format.h>

#include <mutex>
#include <optional>
#include <set>
#include <thread>

#include "common/crypto/hasher.hpp"
#include "common/oci/repository_name.hpp"
#include "satellite/replication/index_filter.hpp"

namespace satellite::replication {
namespace {

using common::ErrorCode;

// Indexes of indexes are allowed this deep (real ones nest once at most).
constexpr int kMaxDepth = 2;

}  // namespace

struct ImagePuller::Plan {
  struct PendingManifest {
    common::Digest digest;
    std::string content;
    std::string media_type;
  };
  std::vector<common::oci::Descriptor> blobs;  // unique by digest
  std::vector<PendingManifest> manifests;      // in the order they are stored: children first
  std::set<common::Digest> seen;               // blobs and manifests already planned
  std::optional<SignatureArtifact> signature;  // stored under its tag before the manifests
  std::uint64_t fetched = 0;                   // manifest bytes taken from upstream
};

common::Result<std::unique_ptr<ImagePuller>> ImagePuller::create(
    registry::RegistryService& registry, PullerOptions options, common::log::Logger logger) {
  if (options.state_dir.empty()) {
    return common::fail(ErrorCode::kInvalidArgument, "the image puller needs a state dir");
  }
  auto records = ResumeRecords::open(options.state_dir);
  if (!records) return common::fail(std::move(records.error()));
  return std::unique_ptr<ImagePuller>(
      new ImagePuller(registry, std::move(options), std::move(logger), std::move(*records)));
}

ImagePuller::ImagePuller(registry::RegistryService& registry, PullerOptions options,
                         common::log::Logger logger, ResumeRecords records)
    : registry_(registry),
      options_(std::move(options)),
      logger_(std::move(logger)),
      upstream_(options_.http, *options_.clock),
      limiter_(*options_.clock),
      fetcher_(std::make_unique<BlobFetcher>(registry_, upstream_, limiter_, std::move(records),
                                             options_.parallel_blobs, logger_)) {}

void ImagePuller::set_upstream(UpstreamConfig upstream) {
  const std::string url = upstream.url;
  if (auto configured = upstream_.configure(std::move(upstream)); !configured) {
    logger_->error("upstream {} unusable: {}", url, configured.error().message());
  }
}

common::Status ImagePuller::collect(const std::string& repository, const common::Digest& digest,
                                    int depth, Plan& plan) {
  if (!plan.seen.insert(digest).second) return {};
  if (depth > kMaxDepth) {
    return common::fail(
        ErrorCode::kManifestInvalid,
        fmt::format("index {} in {} nests indexes too deep", digest.str(), repository));
  }
  if (registry_.get_manifest(repository, digest.str())) return {};  // held with all it needs
  auto fetched = upstream_.get_manifest(repository, digest);
  if (!fetched) return common::fail(std::move(fetched.error()));
  plan.fetched += fetched->content.size();
  return add_manifest(repository, digest, std::move(fetched->content),
                      std::move(fetched->media_type), depth, plan);
}

common::Status ImagePuller::add_manifest(const std::string& repository,
                                         const common::Digest& digest, std::string content,
                                         std::string media_type, int depth, Plan& plan) {
  auto parsed = common::oci::parse_manifest(content, media_type);
  if (!parsed) {
    return common::fail(parsed.error().code(),
                        fmt::format("manifest {} in {} upstream: {}", digest.str(), repository,
                                    parsed.error().message()),
                        parsed.error().detail());
  }
  if (parsed->is_index) {
    for (const auto& child : parsed->manifests) {
      if (auto added = collect(repository, child.digest, depth + 1, plan); !added) return added;
    }
  } else {
    if (parsed->config) parsed->layers.insert(parsed->layers.begin(), *parsed->config);
    for (auto& blob : parsed->layers) {
      if (plan.seen.insert(blob.digest).second) plan.blobs.push_back(std::move(blob));
    }
  }
  plan.manifests.push_back({digest, std::move(content), parsed->media_type});
  return {};
}

common::Status ImagePuller::plan_signature(const PullJob& job, PulledArtifact& artifact,
                                           Plan& plan) {
  using common::fleet_wire::SignatureMode;
  const auto& policy = job.signature_policy;
  auto fetched = signatures_.fetch(job.repository, job.digest);
  common::Status verdict;
  if (!fetched) {
    verdict = common::fail(std::move(fetched.error()));
  } else if (!*fetched) {
    verdict = common::fail(ErrorCode::kPermissionDenied,
                           fmt::format("no cosign signature (no tag {} upstream)",
                                       common::crypto::signature_tag(job.digest)));
  } else {
    plan.signature = std::move(**fetched);
    if (policy.mode != SignatureMode::kOff)
      verdict = signatures_.verify(job.repository, job.digest, *plan.signature, policy.public_keys);
  }
  if (policy.mode == SignatureMode::kOff) {
    if (fetched && !*fetched) return {};  // unsigned, and nobody asked
    if (!fetched) {
      logger_->warn("signature of {}@{} not copied: {}", job.repository, job.digest.str(),
                    verdict.error().message());
    }
  } else if (!verdict) {
    const auto reason = fmt::format("signature policy {}: {}", signature_mode_name(policy.mode),
                                    verdict.error().message());
    if (policy.mode == SignatureMode::kEnforce) {
      return common::fail(verdict.error().code(), reason, verdict.error().detail());
    }
    logger_->warn("{}@{} stored although {}", job.repository, job.digest.str(), reason);
    artifact.signature_warning = reason;
  }
  if (!plan.signature) return {};
  auto parsed = common::oci::parse_manifest(plan.signature->manifest.content,
                                            plan.signature->manifest.media_type);
  if (!parsed) {  // SignatureManifest::parse took it; the registry's parser should too
    logger_->warn("signature of {}@{} not copied: {}", job.repository, job.digest.str(),
                  parsed.error().message());
    plan.signature.reset();
    return {};
  }
  plan.signature->manifest.media_type = parsed->media_type;
  plan.fetched += plan.signature->manifest.content.size();
  if (parsed->config) parsed->layers.insert(parsed->layers.begin(), *parsed->config);
  for (auto& blob : parsed->layers) {
    if (plan.seen.insert(blob.digest).second) plan.blobs.push_back(std::move(blob));
  }
  return {};
}

common::Status ImagePuller::fetch_blobs(const std::string& repository, Plan& plan,
                                        PullProgress& progress, const std::stop_token& stop) {
  std::atomic<std::size_t> next{0};
  std::atomic<std::uint64_t> fetched{0};
  std::mutex error_mutex;  // guards first_error
  std::optional<common::Error> first_error;
  std::atomic<bool> failed{false};
  auto work = [&] {
    for (std::size_t i = next++; i < plan.blobs.size() && !failed; i = next++) {
      auto result = fetcher_->fetch(repository, plan.blobs[i], progress, stop);
      if (result) {
        fetched += *result;
        continue;
      }
      const std::lock_guard lock(error_mutex);
      if (!first_error) first_error = std::move(result.error());
      failed = true;
    }
  };
  {
    const auto workers =
        std::min<std::size_t>(std::max(1u, options_.parallel_blobs), plan.blobs.size());
    std::vector<std::jthread> pool;
    for (std::size_t i = 1; i < workers; ++i) pool.emplace_back(work);
    work();  // this thread is one of the workers
  }          // joins the pool
  plan.fetched += fetched;
  if (first_error) return common::fail(std::move(*first_error));
  return {};
}

common::Result<PulledArtifact> ImagePuller::pull(const PullJob& job, PullProgress& progress,
                                                 std::stop_token stop) {
  PulledArtifact artifact{job.digest};
  auto held = registry_.get_manifest(job.repository, job.digest.str());
  if (!held && held.error().code() == ErrorCode::kNameInvalid) return common::fail(held.error());
  if (held && job.platforms.empty()) return artifact;

  auto top = upstream_.get_manifest(job.repository, job.digest);
  if (!top) return common::fail(std::move(top.error()));
  Plan plan;
  plan.fetched = top->content.size();
  plan.seen.insert(job.digest);
  if (auto checked = plan_signature(job, artifact, plan); !checked)
    return common::fail(checked.error());
  auto parsed = common::oci::parse_manifest(top->content, top->media_type);
  if (parsed && parsed->is_index && !job.platforms.empty()) {
    auto filtered = filter_index(top->content, job.platforms);
    if (!filtered) {
      return common::fail(filtered.error().code(),
                          fmt::format("index {} in {}: {}", job.digest.str(), job.repository,
                                      filtered.error().message()));
    }
    artifact.stored = common::crypto::digest_of(*filtered, job.digest.algorithm());
    artifact.platforms_filtered = artifact.stored != job.digest;
    top->content = std::move(*filtered);
  }
  if (artifact.stored != job.digest || !held) {
    const bool stored_held = artifact.stored != job.digest &&
                             registry_.get_manifest(job.repository, artifact.stored.str());
    if (!stored_held) {
      if (auto added = add_manifest(job.repository, artifact.stored, std::move(top->content),
                                    std::move(top->media_type), 0, plan);
          !added) {
        return common::fail(std::move(added.error()));
      }
    }
  }
  std::uint64_t total = 0;
  for (const auto& blob : plan.blobs) total += static_cast<std::uint64_t>(blob.size);
  progress.bytes_total += total;
  manifest_bytes_ += plan.fetched;  // blob bytes are the fetcher's count
  auto blobs = fetch_blobs(job.repository, plan, progress, stop);
  artifact.bytes_fetched = plan.fetched;
  if (!blobs) return common::fail(std::move(blobs.error()));
  if (plan.signature) {
    const auto& signature = *plan.signature;
    auto put = registry_.put_manifest(job.repository, signature.tag, signature.manifest.content,
                                      signature.manifest.media_type);
    if (!put) {
      return common::fail(
          put.error().code(),
          fmt::format("signature {}:{}: {}", job.repository, signature.tag, put.error().message()),
          put.error().detail());
    }
  }
  for (const auto& manifest : plan.manifests) {
    if (stop.stop_requested()) return common::fail(ErrorCode::kUnavailable, "pull stopped");
    auto put = registry_.put_manifest(job.repository, manifest.digest.str(), manifest.content,
                                      manifest.media_type);
    if (!put) {
      return common::fail(put.error().code(),
                          fmt::format("manifest {} of {}: {}", manifest.digest.str(),
                                      job.repository, put.error().message()),
                          put.error().detail());
    }
  }
  logger_->info("pulled {}@{} ({} bytes from upstream)", job.repository, artifact.stored.str(),
                artifact.bytes_fetched);
  return artifact;
}

}  // namespace satellite::replication

namespace satellite::replication {

common::Status ImagePuller::fetch_blob(std::string_view repository, const common::Digest& digest,
                                       std::stop_token stop) {
  if (auto valid = common::oci::validate_repository_name(repository); !valid) return valid;
  PullProgress progress;
  // Size unknown (no manifest names it here): the download takes what the upstream sends,
  // and the digest check decides.
  const common::oci::Descriptor blob{"application/octet-stream", digest, 0, ""};
  auto fetched = fetcher_->fetch(repository, blob, progress, stop);
  if (!fetched) return common::fail(std::move(fetched.error()));
  return {};
}

}  // namespace satellite::replication
