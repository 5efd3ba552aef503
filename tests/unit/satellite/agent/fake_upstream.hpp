// FakeUpstream: stands in for the replication engine in the agent's unit tests (the engine
// itself is tested against a real docker-registry): it stores test images into the real
// registry library as a pull would, counts pulls, records the signature policy each was
// asked to apply, and fails (or warns about) the digests it is told to.
#pragma once

#include <gtest/gtest.h>

#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "common/crypto/hasher.hpp"
#include "common/oci/media_types.hpp"
#include "registry/registry_service.hpp"
#include "satellite/agent/pull_function.hpp"
#include "testutil/test_image.hpp"

namespace satellite::agent {

using common::Digest;
namespace media_type = common::oci::media_type;

// Pushes blobs and manifests into the registry as the replication engine would, from an
// "upstream" of test images; digests in `broken` fail as a missing upstream manifest does.
class FakeUpstream {
 public:
  explicit FakeUpstream(registry::RegistryService& registry) : registry_(registry) {}
  void add(const testutil::TestImage& image) { images_.emplace(image.digest(), image); }
  void add_index(const std::string& index, std::vector<testutil::TestImage> children) {
    indexes_.emplace(common::crypto::digest_of(index), std::make_pair(index, std::move(children)));
  }
  void break_digest(const Digest& digest) { broken_.insert(digest); }
  void repair(const Digest& digest) { broken_.erase(digest); }
  // Pulls of `digest` succeed with `warning` as their signature warning (a warn policy).
  void warn_about(const Digest& digest, std::string warning) {
    warnings_[digest] = std::move(warning);
  }
  // The signature policy the last pull of `digest` was asked to apply.
  std::optional<common::fleet_wire::SignaturePolicy> policy_of(const Digest& digest) const {
    std::lock_guard lock(mutex_);
    const auto it = policies_.find(digest);
    if (it == policies_.end()) return std::nullopt;
    return it->second;
  }
  int pulls(const Digest& digest) const {
    std::lock_guard lock(mutex_);
    const auto it = pulls_.find(digest);
    return it == pulls_.end() ? 0 : it->second;
  }

  PullFunction function() {
    return [this](const PullJob& job, PullProgress& progress,
                  std::stop_token) -> common::Result<PulledArtifact> {
      {
        std::lock_guard lock(mutex_);
        ++pulls_[job.digest];
        policies_[job.digest] = job.signature_policy;
      }
      if (broken_.contains(job.digest))
        return common::fail(common::ErrorCode::kNotFound,
                            "manifest " + job.digest.str() + " not found in " + job.repository);
      if (const auto it = images_.find(job.digest); it != images_.end()) {
        store(job.repository, it->second);
        progress.bytes_done = it->second.layers[0].size();
        PulledArtifact pulled{job.digest, false, it->second.layers[0].size()};
        if (const auto warning = warnings_.find(job.digest); warning != warnings_.end())
          pulled.signature_warning = warning->second;
        return pulled;
      }
      const auto& [index, children] = indexes_.at(job.digest);
      for (const auto& child : children) store(job.repository, child);
      put(job.repository, job.digest.str(), index, media_type::kOciIndex);
      return PulledArtifact{job.digest, false, 0};
    };
  }

  // Stores `image` under `reference` (default: its digest).
  void store(const std::string& repository, const testutil::TestImage& image,
             std::string reference = {}) {
    push_blob(repository, image.config);
    for (const auto& layer : image.layers) push_blob(repository, layer);
    put(repository, reference.empty() ? image.digest().str() : reference, image.manifest,
        media_type::kOciManifest);
  }

 private:
  void push_blob(const std::string& repository, const std::string& content) {
    auto state = registry_.start_upload(repository).value();
    {
      auto writer = registry_.open_upload(repository, state.id.str(), 0).value();
      ASSERT_TRUE(writer.write(content).has_value());
    }
    ASSERT_TRUE(
        registry_.finish_upload(repository, state.id.str(), common::crypto::digest_of(content)));
  }
  void put(const std::string& repository, const std::string& reference, const std::string& body,
           std::string_view type) {
    auto put = registry_.put_manifest(repository, reference, body, type);
    ASSERT_TRUE(put.has_value()) << put.error().message();
  }

  registry::RegistryService& registry_;
  std::map<Digest, testutil::TestImage> images_;
  std::map<Digest, std::pair<std::string, std::vector<testutil::TestImage>>> indexes_;
  std::set<Digest> broken_;
  std::map<Digest, std::string> warnings_;
  mutable std::mutex mutex_;  // guards pulls_ and policies_
  std::map<Digest, int> pulls_;
  std::map<Digest, common::fleet_wire::SignaturePolicy> policies_;
};

}  // namespace satellite::agent
