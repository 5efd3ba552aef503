#include "satellite/agent/reconciler.hpp"

#include <fmt/format.h>
#include <spdlog/logger.h>
#include <unistd.h>

#include <cerrno>

#include <algorithm>
#include <mutex>
#include <set>
#include <thread>

#include "common/crypto/cosign_signature.hpp"
#include "common/oci/manifest.hpp"
#include "satellite/replication/image_signature_check.hpp"

namespace satellite::agent {

using common::fleet_wire::SatelliteState;
using common::fleet_wire::StateArtifact;

struct Reconciler::PullResult {
  PullJob job;
  common::Result<PulledArtifact> outcome;
};

Reconciler::Reconciler(registry::RegistryService& registry, OwnedArtifacts& owned,
                       ArtifactTracker& tracker, PullFunction pull, const common::Clock& clock,
                       common::log::Logger logger)
    : registry_(registry),
      owned_(owned),
      tracker_(tracker),
      pull_(std::move(pull)),
      clock_(clock),
      logger_(std::move(logger)) {}

bool Reconciler::held(std::string_view repository, const common::Digest& digest) {
  return registry_.get_manifest(repository, digest.str()).has_value();
}

common::Result<PassOutcome> Reconciler::run_pass(const SatelliteState& desired,
                                                 const PassSettings& settings,
                                                 std::stop_token stop) {
  PassOutcome out;
  std::vector<ArtifactTracker::Key> keys;
  keys.reserve(desired.artifacts.size());
  for (const auto& artifact : desired.artifacts)
    keys.emplace_back(artifact.repository, artifact.digest);
  tracker_.retain_only(keys);

  // 1. What is missing, pulled several at once. `present` collects what is held after it.
  std::set<ArtifactTracker::Key> present;
  std::vector<PullJob> jobs;
  const auto now = clock_.steady_now();
  for (const auto& artifact : desired.artifacts) {
    const ArtifactTracker::Key key{artifact.repository, artifact.digest};
    auto* entry = owned_.find(artifact.repository, artifact.digest);
    if (entry && held(entry->repository, entry->stored) &&
        keeps_serving(artifact, *entry, desired, out)) {
      present.insert(key);
      continue;
    }
    entry = owned_.find(artifact.repository, artifact.digest);  // keeps_serving may erase it
    // (An image held but not owned is adopted unchecked; the next pass checks it as owned.)
    if (!entry && held(artifact.repository, artifact.digest)) {
      // Held already (imported, or stored before the ledger was written): managed from now.
      owned_.put({artifact.repository, artifact.digest, artifact.digest, {}, false, std::nullopt});
      present.insert(key);
      continue;
    }
    tracker_.ensure(key);
    if (!settings.pulls_allowed || !tracker_.due(key, now)) {
      ++out.waiting;
      continue;
    }
    jobs.push_back({artifact.repository, artifact.digest, settings.platforms,
                    common::fleet_wire::signature_policy_of(desired, artifact)});
  }
  for (auto& result : pull_all(std::move(jobs), settings.parallel_artifacts, stop)) {
    const ArtifactTracker::Key key{result.job.repository, result.job.digest};
    if (!result.outcome) {
      ++out.failed;
      const auto& error = result.outcome.error();
      auto reason = error.detail().empty() ? error.message()
                                           : fmt::format("{}: {}", error.message(), error.detail());
      const auto delay = tracker_.mark_failed(key, reason, clock_.steady_now());
      logger_->warn("pull of {}@{} failed (retry in {} s): {}", key.first, key.second.str(),
                    std::chrono::duration_cast<std::chrono::seconds>(delay).count(), reason);
      continue;
    }
    ++out.pulled;
    present.insert(key);
    tracker_.set_warning(key, result.outcome->signature_warning);
    out.bytes_fetched += result.outcome->bytes_fetched;
    owned_.put({result.job.repository,
                result.job.digest,
                result.outcome->stored,
                {},
                result.outcome->platforms_filtered,
                std::nullopt});
    logger_->debug("stored {}@{} ({} bytes fetched)", key.first, key.second.str(),
                   result.outcome->bytes_fetched);
  }

  // 2. Tags of everything held; the ledger marks what is desired again as kept.
  bool converged = true;
  for (const auto& artifact : desired.artifacts) {
    if (!present.contains({artifact.repository, artifact.digest})) {
      converged = false;
      continue;
    }
    auto* entry = owned_.find(artifact.repository, artifact.digest);
    entry->removing_since.reset();
    set_tags(*entry, artifact.tags, out);
    tracker_.mark_present({artifact.repository, artifact.digest});
  }

  // 3. What left the desired state: untagged now, deleted after the grace.
  const std::set<ArtifactTracker::Key> wanted(keys.begin(), keys.end());
  const auto wall =
      std::chrono::duration_cast<std::chrono::seconds>(clock_.now().time_since_epoch()).count();
  std::vector<ArtifactTracker::Key> expired;
  for (auto& entry : owned_.entries()) {
    if (wanted.contains({entry.repository, entry.digest})) continue;
    for (const auto& tag : entry.tags) {
      if (untag_if_ours(entry.repository, tag, entry.stored)) ++out.untagged;
    }
    entry.tags.clear();
    if (!entry.removing_since) {
      entry.removing_since = wall;
      logger_->info("{}@{} left the desired state: untagged, removed after {} s", entry.repository,
                    entry.digest.str(), settings.removal_grace.count());
    }
    if (wall - *entry.removing_since >= settings.removal_grace.count())
      expired.emplace_back(entry.repository, entry.digest);
  }
  for (const auto& [repository, digest] : expired) {
    auto* entry = owned_.find(repository, digest);
    const OwnedArtifact gone = *entry;
    owned_.erase(repository, digest);
    remove_manifests(gone, out);
  }
  if (auto saved = owned_.save(); !saved) return common::fail(saved.error());
  out.converged = converged;
  return out;
}

std::vector<Reconciler::PullResult> Reconciler::pull_all(std::vector<PullJob> jobs,
                                                         unsigned parallel, std::stop_token stop) {
  std::vector<PullResult> results;
  if (jobs.empty()) return results;
  std::mutex mutex;  // guards next and results
  std::size_t next = 0;
  const auto work = [&] {
    for (;;) {
      std::unique_lock lock(mutex);
      if (next == jobs.size() || stop.stop_requested()) return;
      const PullJob& job = jobs[next++];
      lock.unlock();
      auto& progress = tracker_.start_pull({job.repository, job.digest});
      auto outcome = pull_(job, progress, stop);
      if (!outcome && stop.stop_requested()) return;  // stopped, not failed: tried again later
      lock.lock();
      results.push_back({job, std::move(outcome)});
    }
  };
  {
    std::vector<std::jthread> workers;
    const auto count = std::clamp<std::size_t>(parallel, 1, jobs.size());
    for (std::size_t i = 1; i < count; ++i) workers.emplace_back(work);
    work();
  }
  return results;
}

void Reconciler::set_tags(OwnedArtifact& entry, const std::vector<std::string>& wanted,
                          PassOutcome& out) {
  for (const auto& tag : entry.tags) {
    if (!std::binary_search(wanted.begin(), wanted.end(), tag) &&
        untag_if_ours(entry.repository, tag, entry.stored))
      ++out.untagged;
  }
  std::vector<std::string> set;
  for (const auto& tag : wanted) {
    auto current = registry_.get_manifest(entry.repository, tag);
    if (current && (*current)->digest == entry.stored) {
      set.push_back(tag);
      continue;
    }
    auto manifest = registry_.get_manifest(entry.repository, entry.stored.str());
    if (!manifest) continue;
    auto put = registry_.put_manifest(entry.repository, tag, (*manifest)->content,
                                      (*manifest)->media_type);
    if (!put) {
      logger_->warn("tag {}:{} -> {}: {}", entry.repository, tag, entry.stored.str(),
                    put.error().message());
      continue;
    }
    set.push_back(tag);
  }
  entry.tags = std::move(set);
}

bool Reconciler::untag_if_ours(std::string_view repository, const std::string& tag,
                               const common::Digest& stored) {
  auto current = registry_.get_manifest(repository, tag);
  if (!current || (*current)->digest != stored) return false;
  return registry_.delete_manifest(repository, tag).has_value();
}

std::vector<common::Digest> Reconciler::children_of(std::string_view repository,
                                                    const common::Digest& digest) {
  std::vector<common::Digest> out;
  auto manifest = registry_.get_manifest(repository, digest.str());
  if (!manifest) return out;
  auto parsed = common::oci::parse_manifest((*manifest)->content, (*manifest)->media_type);
  if (!parsed || !parsed->is_index) return out;
  for (const auto& child : parsed->manifests) out.push_back(child.digest);
  return out;
}

bool Reconciler::keeps_serving(const StateArtifact& artifact, const OwnedArtifact& entry,
                               const SatelliteState& desired, PassOutcome& out) {
  const auto policy = common::fleet_wire::signature_policy_of(desired, artifact);
  if (policy.mode == common::fleet_wire::SignatureMode::kOff) return true;
  const bool warn = policy.mode == common::fleet_wire::SignatureMode::kWarn;
  const ArtifactTracker::Key key{artifact.repository, artifact.digest};
  std::string cache_key = artifact.repository + "@" + artifact.digest.str();
  for (const auto& key : policy.public_keys) cache_key += "|" + key;
  if (verified_.contains(cache_key)) return true;
  const auto tag = common::crypto::signature_tag(artifact.digest);
  auto verified = [&]() -> common::Status {
    auto manifest = registry_.get_manifest(artifact.repository, tag);
    if (!manifest) return common::fail(manifest.error());
    auto signatures = common::crypto::SignatureManifest::parse((*manifest)->content);
    if (!signatures)
      return common::fail(common::ErrorCode::kManifestInvalid, signatures.error().message());
    return replication::verify_image_signature(
        artifact.repository, tag, artifact.digest, *signatures, policy.public_keys,
        [&](const common::Digest& blob) { return read_small_blob(artifact.repository, blob); });
  }();
  if (verified) {
    if (verified_.size() >= 100'000) verified_.clear();  // bounded; rebuilt as passes run
    verified_.insert(std::move(cache_key));
    if (warn) tracker_.set_warning(key, "");
    return true;
  }
  // Only a signature that is absent or does not verify withdraws the image; a read that
  // failed for another reason (memory, I/O) keeps it served and is tried again next pass,
  // since an image withdrawn offline cannot come back.
  using common::ErrorCode;
  const auto code = verified.error().code();
  const bool refused = code == ErrorCode::kPermissionDenied ||
                       code == ErrorCode::kManifestUnknown || code == ErrorCode::kNotFound ||
                       code == ErrorCode::kBlobUnknown || code == ErrorCode::kManifestInvalid ||
                       code == ErrorCode::kInvalidArgument;
  if (!refused) {
    logger_->warn("{}@{}: checking its held signature failed, still served: {}",
                  artifact.repository, artifact.digest.str(), verified.error().message());
    return true;
  }
  const auto why = code == ErrorCode::kManifestUnknown || code == ErrorCode::kNotFound
                       ? fmt::format("no cosign signature held (no tag {})", tag)
                       : verified.error().message();
  if (warn) {  // served anyway, and said so: also after a restart
    tracker_.set_warning(key, "signature policy warn: " + why);
    return true;
  }
  logger_->warn(
      "{}@{} is no longer served under signature policy enforce ({}); pulling it "
      "again checks the upstream's signature",
      artifact.repository, artifact.digest.str(), why);
  const OwnedArtifact withdrawn = entry;  // erase() ends the reference
  owned_.erase(withdrawn.repository, withdrawn.digest);
  remove_manifests(withdrawn, out);
  return false;
}

common::Result<std::string> Reconciler::read_small_blob(std::string_view repository,
                                                        const common::Digest& digest) {
  auto open = registry_.open_blob(repository, digest);
  if (!open) return common::fail(open.error());
  if (open->size > common::crypto::kMaxPayloadBytes)
    return common::fail(common::ErrorCode::kTooLarge,
                        fmt::format("blob {} is larger than a signature payload", digest.str()));
  std::string content(open->size, '\0');
  std::size_t done = 0;
  while (done < content.size()) {
    const auto n = ::pread(open->fd.get(), content.data() + done, content.size() - done,
                           static_cast<off_t>(done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return common::fail(common::ErrorCode::kUnavailable, "reading a signature payload");
    done += static_cast<std::size_t>(n);
  }
  return content;
}

void Reconciler::remove_manifests(const OwnedArtifact& entry, PassOutcome& out) {
  if (owned_.stored_by_other(entry.repository, entry.stored, nullptr)) return;
  // Children that another kept index of the repository still lists stay.
  std::set<common::Digest> kept;
  for (const auto& other : owned_.entries()) {
    if (other.repository != entry.repository) continue;
    kept.insert(other.stored);
    for (auto& child : children_of(other.repository, other.stored)) kept.insert(std::move(child));
  }
  const auto children = children_of(entry.repository, entry.stored);
  if (auto deleted = registry_.delete_manifest(entry.repository, entry.stored.str()); !deleted) {
    logger_->warn("removing {}@{}: {}", entry.repository, entry.stored.str(),
                  deleted.error().message());
    return;
  }
  for (const auto& child : children) {
    if (!kept.contains(child)) (void)registry_.delete_manifest(entry.repository, child.str());
  }
  // Its cosign signature, copied with it (ImagePuller), goes with it.
  (void)registry_.delete_manifest(entry.repository, common::crypto::signature_tag(entry.digest));
  ++out.removed;
  out.gc_needed = true;
  logger_->info("removed {}@{}", entry.repository, entry.digest.str());
}

}  // namespace satellite::agent
