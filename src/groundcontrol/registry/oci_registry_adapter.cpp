#include "groundcontrol/registry/oci_registry_adapter.hpp"

#include <algorithm>
#include <map>

namespace groundcontrol::registry {

common::Result<std::vector<std::string>> OciRegistryAdapter::repositories() {
  auto names = client_->list_repositories();
  if (!names) return common::fail(std::move(names.error()));
  std::sort(names->begin(), names->end());
  return names;
}

common::Result<std::vector<RegistryArtifact>> OciRegistryAdapter::artifacts(
    std::string_view repository) {
  auto tags = client_->list_tags(repository);
  if (!tags) return common::fail(std::move(tags.error()));
  std::map<std::string, RegistryArtifact> by_digest;
  for (const auto& tag : *tags) {
    auto head = client_->head_manifest(repository, tag);
    // A tag deleted between the list and the HEAD is simply gone.
    if (!head && head.error().code() == common::ErrorCode::kNotFound) continue;
    if (!head) return common::fail(std::move(head.error()));
    auto [at, added] = by_digest.try_emplace(
        head->digest.str(),
        RegistryArtifact{
            std::string(repository), head->digest, {}, head->media_type, std::nullopt, {}});
    at->second.tags.push_back(tag);
  }
  std::vector<RegistryArtifact> out;
  out.reserve(by_digest.size());
  for (auto& [digest, artifact] : by_digest) {
    std::sort(artifact.tags.begin(), artifact.tags.end());
    out.push_back(std::move(artifact));
  }
  return out;
}

}  // namespace groundcontrol::registry
