// ImagePuller: the satellite's replication engine. pull() copies one artifact, named by
// digest, from the upstream OCI registry into the local registry, writing through
// registry::RegistryService (never over HTTP to itself):
//   - the manifest is fetched and verified (sha256 of its bytes == the digest asked for);
//     an index is kept whole with every child, or rewritten to the platforms asked for
//     (same mediaType, only the matching entries; stored under its new digest);
//   - the blobs of every image are fetched by a BlobFetcher: only those the registry does
//     not hold, once across concurrent pulls, resumable across restarts (state_dir),
//     verified before they become visible;
//   - the image's cosign signature (the manifest tagged sha256-<hex>.sig upstream) is
//     checked before anything is fetched when job.signature_policy is warn or enforce
//     (ImageSignatureCheck): under enforce a failed check fails the pull, under warn it is
//     logged and returned in signature_warning. Whatever the mode, the signature artifact,
//     when the upstream has one, is copied with its blobs under the same tag, so clients
//     verify against the satellite offline (`cosign verify`);
//   - manifests are stored children first, the index last, so nothing visible ever
//     references what is missing (the signature artifact before them all). What is already held is
//     skipped (a pull of a held artifact costs one manifest GET at most, none when nothing is
//     filtered).
// Concurrency: a bounded worker pool over the blocking HttpClient: each pull() runs up to
// parallel_blobs worker threads, and the BlobFetcher's gate lets at most parallel_blobs
// downloads run at once across every pull. All transfers share one bandwidth limit.
// Ownership: borrows the registry (must outlive the puller); owns its HTTP client.
// Thread-safety: every call from any thread; several pull() at once share blob fetches.
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <stop_token>
#include <string>
#include <vector>

#include "common/clock.hpp"
#include "common/digest.hpp"
#include "common/http/client_options.hpp"
#include "common/log/logger.hpp"
#include "common/result.hpp"
#include "registry/registry_env.hpp"
#include "registry/registry_service.hpp"
#include "satellite/replication/bandwidth_limiter.hpp"
#include "satellite/replication/blob_fetcher.hpp"
#include "satellite/replication/image_signature_check.hpp"
#include "satellite/replication/pull_job.hpp"
#include "satellite/replication/pull_progress.hpp"
#include "satellite/replication/upstream_client.hpp"
#include "satellite/replication/upstream_config.hpp"

namespace satellite::replication {

struct PullerOptions {
  std::filesystem::path state_dir;  // where resumable-download records live (created)
  unsigned parallel_blobs = 8;      // blobs fetched at once, across all pulls
  // Timeouts, proxy, user agent of the upstream client (its TLS trust comes from the
  // UpstreamConfig). Manifests larger than max_buffered_body are refused.
  common::http::ClientOptions http;
  // Token expiry and the bandwidth limit's bucket; must outlive the puller.
  const common::Clock* clock = &registry::system_clock();
};

class ImagePuller {
 public:
  // Creates state_dir; its error, or kInvalidArgument for a puller without a state_dir.
  [[nodiscard]] static common::Result<std::unique_ptr<ImagePuller>> create(
      registry::RegistryService& registry, PullerOptions options, common::log::Logger logger);

  // Applied to the requests that start from now on (config from ground control, no
  // restart). A bad config (URL scheme, missing CA file) is logged and is what pulls fail
  // with until a good one comes.
  void set_upstream(UpstreamConfig upstream);
  // Bytes per second for all transfers together; 0: unlimited.
  void set_bandwidth_limit(std::uint64_t bytes_per_second) { limiter_.set_rate(bytes_per_second); }

  // Makes `job.digest` (filtered to job.platforms) held by the local registry. Errors, with
  // a reason a person understands: kNotFound (digest, blob or platform not upstream),
  // kPermissionDenied (401/403), kDigestInvalid (bytes that do not match their digest),
  // kNameInvalid, kPermissionDenied too for an image whose signature the enforce policy
  // refuses ("signature policy enforce: …" saying why), kUnavailable ("pull stopped" when
  // `stop` is requested: partial blobs stay for the next pull to resume; or the upstream's
  // transport errors), the registry's
  // (kManifestInvalid for an upstream manifest the registry refuses). Blocking.
  [[nodiscard]] common::Result<PulledArtifact> pull(const PullJob& job, PullProgress& progress,
                                                    std::stop_token stop);
  // The digest `tag` of `repository` names upstream now (proxy mode). Errors as pull().
  [[nodiscard]] common::Result<common::Digest> resolve(std::string_view repository,
                                                       std::string_view tag) {
    return upstream_.resolve_tag(repository, tag);
  }
  // Makes one blob held by `repository` (proxy mode: a blob asked for without its
  // manifest); fetched once however many ask at once. Errors as pull(). Blocking.
  [[nodiscard]] common::Status fetch_blob(std::string_view repository, const common::Digest& digest,
                                          std::stop_token stop);
  // Bytes taken from the upstream since start (blobs and manifests; for metered links).
  std::uint64_t bytes_transferred() const noexcept {
    return fetcher_->bytes_transferred() + manifest_bytes_.load();
  }

 private:
  struct Plan;
  ImagePuller(registry::RegistryService& registry, PullerOptions options,
              common::log::Logger logger, ResumeRecords records);
  // Adds the manifest `digest` (unless held) and its children and blobs to `plan`.
  [[nodiscard]] common::Status collect(const std::string& repository, const common::Digest& digest,
                                       int depth, Plan& plan);
  // Adds a fetched manifest's blobs, or its children, then the manifest itself.
  [[nodiscard]] common::Status add_manifest(const std::string& repository,
                                            const common::Digest& digest, std::string content,
                                            std::string media_type, int depth, Plan& plan);
  // Checks the signature of job.digest under job.signature_policy and plans the copy of the
  // signature artifact; the enforce policy's refusal, or the upstream's errors under it.
  [[nodiscard]] common::Status plan_signature(const PullJob& job, PulledArtifact& artifact,
                                              Plan& plan);
  [[nodiscard]] common::Status fetch_blobs(const std::string& repository, Plan& plan,
                                           PullProgress& progress, const std::stop_token& stop);

  registry::RegistryService& registry_;
  const PullerOptions options_;
  common::log::Logger logger_;
  UpstreamClient upstream_;
  ImageSignatureCheck signatures_{upstream_};
  BandwidthLimiter limiter_;
  std::unique_ptr<BlobFetcher> fetcher_;
  std::atomic<std::uint64_t> manifest_bytes_{0};
};

}  // namespace satellite::replication
