// MetadataStore: the registry's metadata in SQLite (WAL, synchronous=FULL): repositories,
// the links that let a repository serve a blob, manifests (their content in a table of its
// own, out of every lookup's path) and references, tags, and the subject index behind the
// referrers API. Every mutation is one transaction, so a crash leaves either the old or the
// new state: a tag never points at a missing manifest.
// Thread-safety: all calls are safe from any thread. Writes go through one connection under
// a mutex; reads take one of a small pool of connections, so WAL lets readers run side by
// side and beside the writer. Calls block on disk: run them off the I/O threads, except the
// cheap indexed reads (has_blob).
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.hpp"
#include "common/db/sqlite_database.hpp"
#include "common/digest.hpp"
#include "common/result.hpp"

namespace registry::meta {

struct NewManifest {
  common::Digest digest;
  std::string media_type;
  std::string artifact_type;
  std::optional<common::Digest> subject;
  std::string annotations_json = "{}";
  std::string_view content;               // borrowed for the call
  std::vector<common::Digest> blobs;      // config and layers: must be linked to the repository
  std::vector<common::Digest> manifests;  // children of an index: must exist in the repository
};

struct StoredManifest {
  common::Digest digest;
  std::string media_type;
  std::string content;
};

struct Referrer {
  common::Digest digest;
  std::string media_type;
  std::string artifact_type;
  std::string annotations_json;
  std::uint64_t size = 0;
};

// Everything the in-memory index holds for one repository.
struct RepositorySnapshot {
  std::vector<StoredManifest> manifests;
  std::vector<std::pair<std::string, common::Digest>> tags;
};

class MetadataStore {
 public:
  // Opens or creates the database at `path` and migrates it; kUnsupported for a newer schema.
  // `clock` stamps rows and must outlive the store.
  [[nodiscard]] static common::Result<std::unique_ptr<MetadataStore>> open(
      const std::string& path, const common::Clock& clock, std::size_t readers = 4);
  ~MetadataStore();

  // True when `repository` holds a link to `digest`.
  [[nodiscard]] common::Result<bool> has_blob(std::string_view repository,
                                              const common::Digest& digest);
  // Links `digest` to `repository`, creating the repository on first use.
  [[nodiscard]] common::Status link_blob(std::string_view repository, const common::Digest& digest);
  // Removes the link; kBlobUnknown when there was none.
  [[nodiscard]] common::Status unlink_blob(std::string_view repository,
                                           const common::Digest& digest);

  // Stores `manifest` and, if given, points `tag` at it, in one transaction.
  // kManifestBlobUnknown when a referenced blob or child manifest is not in the repository.
  [[nodiscard]] common::Status put_manifest(std::string_view repository,
                                            const NewManifest& manifest,
                                            std::optional<std::string_view> tag);
  // Deletes the manifest and the tags pointing at it; kManifestUnknown when absent.
  [[nodiscard]] common::Status delete_manifest(std::string_view repository,
                                               const common::Digest& digest);
  // Deletes one tag; kManifestUnknown when absent.
  [[nodiscard]] common::Status delete_tag(std::string_view repository, std::string_view tag);

  // The manifest `reference` (a tag, or a digest string) names in `repository`.
  // kNameUnknown for an unknown repository, kManifestUnknown for an unknown reference.
  [[nodiscard]] common::Result<StoredManifest> find_manifest(std::string_view repository,
                                                             std::string_view reference);
  // All manifests and tags of `repository`; kNameUnknown when it does not exist.
  [[nodiscard]] common::Result<RepositorySnapshot> load_repository(std::string_view repository);
  // Up to `limit` tags after `last` in lexical order; kNameUnknown for an unknown repository.
  [[nodiscard]] common::Result<std::vector<std::string>> list_tags(std::string_view repository,
                                                                   std::size_t limit,
                                                                   std::string_view last);
  // Up to `limit` repository names after `last` in lexical order.
  [[nodiscard]] common::Result<std::vector<std::string>> list_repositories(std::size_t limit,
                                                                           std::string_view last);
  // Manifests of `repository` whose subject is `subject`, optionally of one artifact type.
  [[nodiscard]] common::Result<std::vector<Referrer>> referrers(std::string_view repository,
                                                                const common::Digest& subject,
                                                                std::string_view artifact_type);
  // For GC: if no manifest references `digest`, drops every link to it and returns true.
  [[nodiscard]] common::Result<bool> drop_blob_if_unreferenced(const common::Digest& digest);
  // Number of repositories (for metrics).
  [[nodiscard]] common::Result<std::int64_t> repository_count();

 private:
  class ReaderPool;
  MetadataStore(std::unique_ptr<common::db::SqliteDatabase> writer,
                std::unique_ptr<ReaderPool> readers, const common::Clock& clock);
  // Id of `repository` on `db`, created (on the writer) when `create` is set.
  common::Result<std::optional<std::int64_t>> repository_id(common::db::SqliteDatabase& db,
                                                            std::string_view repository,
                                                            bool create);
  // Fails with kManifestBlobUnknown unless every blob and child of `manifest` is in `repo`.
  common::Status check_references(std::int64_t repo, const NewManifest& manifest);
  std::int64_t now_unix() const;

  const common::Clock& clock_;
  std::mutex write_mutex_;  // guards writer_
  std::unique_ptr<common::db::SqliteDatabase> writer_;
  std::unique_ptr<ReaderPool> readers_;
};

}  // namespace registry::meta
