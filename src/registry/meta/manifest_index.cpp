#include "registry/meta/manifest_index.hpp"

#include <mutex>

namespace registry::meta {

using common::ErrorCode;
using common::fail;

namespace {

common::Error manifest_unknown(std::string_view reference) {
  return common::Error(ErrorCode::kManifestUnknown, "manifest unknown to registry",
                       std::string(reference));
}

}  // namespace

std::shared_ptr<const CachedManifest> ManifestIndex::make_entry(const StoredManifest& manifest) {
  return std::make_shared<const CachedManifest>(CachedManifest{
      manifest.digest, manifest.digest.str(), manifest.media_type, manifest.content});
}

common::Result<std::shared_ptr<const CachedManifest>> ManifestIndex::lookup(
    std::string_view repository, std::string_view reference) {
  const bool by_digest = reference.find(':') != std::string_view::npos;
  {
    std::shared_lock lock(mutex_);
    // Heterogeneous lookup needs C++20 transparent hashing; a short key copy is cheap here.
    const auto repo = repositories_.find(std::string(repository));
    if (repo != repositories_.end()) {
      const auto& map = by_digest ? repo->second.by_digest : repo->second.by_tag;
      const auto it = map.find(std::string(reference));
      if (it == map.end()) return fail(manifest_unknown(reference));
      return it->second;
    }
  }
  // First use of this repository since start: load it whole. A write that lands while we
  // load would be missing from the snapshot, so the snapshot is kept only if none did.
  std::uint64_t writes_before;
  {
    std::shared_lock lock(mutex_);
    writes_before = writes_;
  }
  auto snapshot = store_.load_repository(repository);
  if (!snapshot) return fail(snapshot.error());
  Repository loaded;
  for (const auto& manifest : snapshot->manifests)
    loaded.by_digest.emplace(manifest.digest.str(), make_entry(manifest));
  for (const auto& [tag, digest] : snapshot->tags) {
    if (auto it = loaded.by_digest.find(digest.str()); it != loaded.by_digest.end()) {
      loaded.by_tag.emplace(tag, it->second);
    }
  }
  const auto& map = by_digest ? loaded.by_digest : loaded.by_tag;
  const auto it = map.find(std::string(reference));
  auto result =
      it == map.end()
          ? common::Result<std::shared_ptr<const CachedManifest>>(fail(manifest_unknown(reference)))
          : common::Result<std::shared_ptr<const CachedManifest>>(it->second);
  std::unique_lock lock(mutex_);
  if (writes_ == writes_before)
    repositories_.try_emplace(std::string(repository), std::move(loaded));
  return result;
}

void ManifestIndex::on_put(std::string_view repository, const StoredManifest& manifest,
                           std::optional<std::string_view> tag) {
  std::unique_lock lock(mutex_);
  ++writes_;
  const auto repo = repositories_.find(std::string(repository));
  if (repo == repositories_.end()) return;  // not loaded: the next lookup reads the store
  auto& entry = repo->second.by_digest[manifest.digest.str()];
  if (!entry) entry = make_entry(manifest);
  if (tag) repo->second.by_tag[std::string(*tag)] = entry;
}

void ManifestIndex::on_delete_manifest(std::string_view repository, const common::Digest& digest) {
  std::unique_lock lock(mutex_);
  ++writes_;
  const auto repo = repositories_.find(std::string(repository));
  if (repo == repositories_.end()) return;
  const auto key = digest.str();
  repo->second.by_digest.erase(key);
  std::erase_if(repo->second.by_tag,
                [&](const auto& pair) { return pair.second->digest_str == key; });
}

void ManifestIndex::on_delete_tag(std::string_view repository, std::string_view tag) {
  std::unique_lock lock(mutex_);
  ++writes_;
  const auto repo = repositories_.find(std::string(repository));
  if (repo != repositories_.end()) repo->second.by_tag.erase(std::string(tag));
}

}  // namespace registry::meta
