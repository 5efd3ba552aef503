// ManifestIndex: the in-memory view of tags and manifests that serves manifest GET/HEAD
// without touching disk or leaving the I/O thread. A repository is loaded from the
// MetadataStore on its first lookup and then kept coherent by the write path, which
// updates the index right after each committed transaction.
// Thread-safety: all calls are safe from any thread (one shared_mutex; lookups share it).
#pragma once

#include <cstdint>
#include <memory>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "common/digest.hpp"
#include "common/result.hpp"
#include "registry/meta/metadata_store.hpp"

namespace registry::meta {

// A manifest ready to be written to a socket.
struct CachedManifest {
  common::Digest digest;
  std::string digest_str;
  std::string media_type;
  std::shared_ptr<const std::string> content;
};

class ManifestIndex {
 public:
  explicit ManifestIndex(MetadataStore& store) : store_(store) {}

  // The manifest `reference` (a tag or a digest string) names in `repository`.
  // kManifestUnknown / kNameUnknown when absent.
  [[nodiscard]] common::Result<std::shared_ptr<const CachedManifest>> lookup(
      std::string_view repository, std::string_view reference);
  // Write-path notifications, called after the transaction committed.
  void on_put(std::string_view repository, const StoredManifest& manifest,
              std::optional<std::string_view> tag);
  void on_delete_manifest(std::string_view repository, const common::Digest& digest);
  void on_delete_tag(std::string_view repository, std::string_view tag);

 private:
  struct Repository {
    std::unordered_map<std::string, std::shared_ptr<const CachedManifest>> by_digest;
    std::unordered_map<std::string, std::shared_ptr<const CachedManifest>> by_tag;
  };
  static std::shared_ptr<const CachedManifest> make_entry(const StoredManifest& manifest);

  MetadataStore& store_;
  std::shared_mutex mutex_;  // guards repositories_
  std::unordered_map<std::string, Repository> repositories_;
  std::uint64_t writes_ = 0;  // bumped by every write notification
};

}  // namespace registry::meta
