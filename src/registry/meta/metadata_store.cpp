#include "registry/meta/metadata_store.hpp"

#include <condition_variable>

#include "registry/meta/schema.hpp"

namespace registry::meta {

using common::ErrorCode;
using common::fail;
using common::db::SqliteDatabase;

namespace {

// Every row's first column as text.
common::Result<std::vector<std::string>> first_column(common::db::Statement& stmt) {
  std::vector<std::string> out;
  auto status = stmt.for_each_row([&]() -> common::Status {
    out.push_back(stmt.column_text(0));
    return {};
  });
  if (!status) return fail(status.error());
  return out;
}

// A digest read back from the database; kCorruption if it does not parse.
common::Result<common::Digest> stored_digest(const std::string& text) {
  auto digest = common::Digest::parse(text);
  if (!digest) return fail(ErrorCode::kCorruption, "bad digest in metadata", text);
  return digest;
}

// A row of (digest, media_type, content), as find_manifest and load_repository select it.
common::Result<StoredManifest> manifest_row(const common::db::Statement& stmt) {
  auto digest = stored_digest(stmt.column_text(0));
  if (!digest) return fail(digest.error());
  return StoredManifest{std::move(*digest), stmt.column_text(1), stmt.column_text(2)};
}

common::Error name_unknown(std::string_view repository) {
  return common::Error(ErrorCode::kNameUnknown, "repository name not known to registry",
                       std::string(repository));
}

common::Error manifest_unknown(std::string_view reference) {
  return common::Error(ErrorCode::kManifestUnknown, "manifest unknown to registry",
                       std::string(reference.substr(0, 256)));
}

}  // namespace

// A fixed set of read connections. acquire() lends one (waiting while all are lent); the
// lease gives it back.
class MetadataStore::ReaderPool {
 public:
  class Lease {
   public:
    Lease(ReaderPool& pool, SqliteDatabase* db) : pool_(&pool), db_(db) {}
    Lease(Lease&& other) noexcept : pool_(std::exchange(other.pool_, nullptr)), db_(other.db_) {}
    Lease& operator=(Lease&&) = delete;
    ~Lease() {
      if (pool_ != nullptr) pool_->give_back(db_);
    }
    SqliteDatabase& operator*() const noexcept { return *db_; }
    SqliteDatabase* operator->() const noexcept { return db_; }

   private:
    ReaderPool* pool_;
    SqliteDatabase* db_;
  };

  static common::Result<std::unique_ptr<ReaderPool>> open(const std::string& path,
                                                          std::size_t count) {
    auto pool = std::make_unique<ReaderPool>();
    for (std::size_t i = 0; i < std::max<std::size_t>(count, 1); ++i) {
      auto db = SqliteDatabase::open(path);
      if (!db) return fail(db.error());
      pool->free_.push_back(db->get());
      pool->all_.push_back(std::move(*db));
    }
    return pool;
  }

  Lease acquire() {
    std::unique_lock lock(mutex_);
    available_.wait(lock, [this] { return !free_.empty(); });
    auto* db = free_.back();
    free_.pop_back();
    return Lease(*this, db);
  }

 private:
  void give_back(SqliteDatabase* db) {
    {
      std::lock_guard lock(mutex_);
      free_.push_back(db);
    }
    available_.notify_one();
  }

  std::vector<std::unique_ptr<SqliteDatabase>> all_;
  std::mutex mutex_;  // guards free_
  std::condition_variable available_;
  std::vector<SqliteDatabase*> free_;
};

MetadataStore::MetadataStore(std::unique_ptr<SqliteDatabase> writer,
                             std::unique_ptr<ReaderPool> readers, const common::Clock& clock)
    : clock_(clock), writer_(std::move(writer)), readers_(std::move(readers)) {}

MetadataStore::~MetadataStore() = default;

common::Result<std::unique_ptr<MetadataStore>> MetadataStore::open(const std::string& path,
                                                                   const common::Clock& clock,
                                                                   std::size_t readers) {
  auto writer = SqliteDatabase::open(path);
  if (!writer) return fail(writer.error());
  if (auto status = (*writer)->migrate(kMigrations); !status) return fail(status.error());
  auto pool = ReaderPool::open(path, readers);
  if (!pool) return fail(pool.error());
  return std::unique_ptr<MetadataStore>(
      new MetadataStore(std::move(*writer), std::move(*pool), clock));
}

std::int64_t MetadataStore::now_unix() const {
  return std::chrono::duration_cast<std::chrono::seconds>(clock_.now().time_since_epoch()).count();
}

common::Result<std::optional<std::int64_t>> MetadataStore::repository_id(
    SqliteDatabase& db, std::string_view repository, bool create) {
  {
    auto select = db.cached("SELECT id FROM repositories WHERE name = ?");
    if (!select) return fail(select.error());
    (*select)->bind(1, repository);
    auto row = (*select)->step();
    if (!row) return fail(row.error());
    if (*row) return std::optional<std::int64_t>((*select)->column_int(0));
  }
  if (!create) return std::optional<std::int64_t>();
  auto insert = db.cached("INSERT INTO repositories (name, created_at) VALUES (?, ?) RETURNING id");
  if (!insert) return fail(insert.error());
  (*insert)->bind(1, repository).bind(2, now_unix());
  auto inserted = (*insert)->step();
  if (!inserted) return fail(inserted.error());
  return std::optional<std::int64_t>((*insert)->column_int(0));
}

common::Result<bool> MetadataStore::has_blob(std::string_view repository,
                                             const common::Digest& digest) {
  auto reader = readers_->acquire();
  auto stmt = reader->cached(
      "SELECT 1 FROM repository_blobs b JOIN repositories r ON r.id = b.repository_id "
      "WHERE r.name = ? AND b.digest = ?");
  if (!stmt) return fail(stmt.error());
  (*stmt)->bind(1, repository).bind(2, digest.str());
  return (*stmt)->step();
}

common::Status MetadataStore::link_blob(std::string_view repository, const common::Digest& digest) {
  std::lock_guard lock(write_mutex_);
  auto txn = writer_->begin();
  if (!txn) return fail(txn.error());
  auto id = repository_id(*writer_, repository, true);
  if (!id) return fail(id.error());
  auto stmt = writer_->cached(
      "INSERT OR IGNORE INTO repository_blobs (repository_id, digest) VALUES (?, ?)");
  if (!stmt) return fail(stmt.error());
  if (auto status = (*stmt)->bind(1, **id).bind(2, digest.str()).run(); !status) return status;
  return txn->commit();
}

common::Status MetadataStore::unlink_blob(std::string_view repository,
                                          const common::Digest& digest) {
  std::lock_guard lock(write_mutex_);
  auto stmt = writer_->prepare(
      "DELETE FROM repository_blobs WHERE digest = ? AND repository_id = "
      "(SELECT id FROM repositories WHERE name = ?)");
  if (!stmt) return fail(stmt.error());
  if (auto status = stmt->bind(1, digest.str()).bind(2, repository).run(); !status) return status;
  if (writer_->changes() == 0)
    return fail(ErrorCode::kBlobUnknown, "blob unknown to registry", digest.str());
  return {};
}

common::Status MetadataStore::check_references(std::int64_t repo, const NewManifest& manifest) {
  struct Check {
    const std::vector<common::Digest>* digests;
    std::string_view sql;
    std::string_view what;
  };
  const Check checks[] = {
      {&manifest.blobs, "SELECT 1 FROM repository_blobs WHERE repository_id = ? AND digest = ?",
       "manifest references an unknown blob"},
      {&manifest.manifests, "SELECT 1 FROM manifests WHERE repository_id = ? AND digest = ?",
       "index references an unknown manifest"},
  };
  for (const auto& check : checks) {
    auto stmt = writer_->cached(check.sql);
    if (!stmt) return fail(stmt.error());
    for (const auto& digest : *check.digests) {
      (*stmt)->reset();
      auto found = (*stmt)->bind(1, repo).bind(2, digest.str()).step();
      if (!found) return fail(found.error());
      if (!*found)
        return fail(ErrorCode::kManifestBlobUnknown, std::string(check.what), digest.str());
    }
  }
  return {};
}

common::Status MetadataStore::put_manifest(std::string_view repository, const NewManifest& manifest,
                                           std::optional<std::string_view> tag) {
  std::lock_guard lock(write_mutex_);
  auto txn = writer_->begin();
  if (!txn) return fail(txn.error());
  auto id = repository_id(*writer_, repository, true);
  if (!id) return fail(id.error());
  const std::int64_t repo = **id;
  if (auto status = check_references(repo, manifest); !status) return status;
  auto insert = writer_->prepare(
      "INSERT OR IGNORE INTO manifests (repository_id, digest, media_type, artifact_type, subject, "
      "size, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)");
  if (!insert) return fail(insert.error());
  insert->bind(1, repo)
      .bind(2, manifest.digest.str())
      .bind(3, manifest.media_type)
      .bind(4, manifest.artifact_type);
  if (manifest.subject)
    insert->bind(5, manifest.subject->str());
  else
    insert->bind_null(5);
  insert->bind(6, static_cast<std::int64_t>(manifest.content.size())).bind(7, now_unix());
  if (auto status = insert->run(); !status) return status;
  if (writer_->changes() > 0) {
    auto content = writer_->prepare(
        "INSERT INTO manifest_contents (repository_id, digest, annotations, content) "
        "VALUES (?, ?, ?, ?)");
    if (!content) return fail(content.error());
    if (auto status = content->bind(1, repo)
                          .bind(2, manifest.digest.str())
                          .bind_borrowed(3, manifest.annotations_json)
                          .bind_borrowed(4, manifest.content)
                          .run();
        !status) {
      return status;
    }
    auto ref = writer_->prepare(
        "INSERT OR IGNORE INTO manifest_references (repository_id, manifest_digest, target_digest, "
        "kind) VALUES (?, ?, ?, ?)");
    if (!ref) return fail(ref.error());
    for (const auto* list : {&manifest.blobs, &manifest.manifests}) {
      const std::int64_t kind = list == &manifest.blobs ? 0 : 1;
      for (const auto& target : *list) {
        ref->reset();
        if (auto status = ref->bind(1, repo)
                              .bind(2, manifest.digest.str())
                              .bind(3, target.str())
                              .bind(4, kind)
                              .run();
            !status) {
          return status;
        }
      }
    }
  }
  if (tag) {
    auto upsert = writer_->prepare(
        "INSERT INTO tags (repository_id, name, digest, updated_at) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (repository_id, name) DO UPDATE SET digest = excluded.digest, updated_at = "
        "excluded.updated_at");
    if (!upsert) return fail(upsert.error());
    if (auto status = upsert->bind(1, repo)
                          .bind(2, *tag)
                          .bind(3, manifest.digest.str())
                          .bind(4, now_unix())
                          .run();
        !status) {
      return status;
    }
  }
  return txn->commit();
}

common::Status MetadataStore::delete_manifest(std::string_view repository,
                                              const common::Digest& digest) {
  std::lock_guard lock(write_mutex_);
  auto txn = writer_->begin();
  if (!txn) return fail(txn.error());
  auto id = repository_id(*writer_, repository, false);
  if (!id) return fail(id.error());
  if (!*id) return fail(name_unknown(repository));
  auto tags = writer_->prepare("DELETE FROM tags WHERE repository_id = ? AND digest = ?");
  if (!tags) return fail(tags.error());
  if (auto status = tags->bind(1, **id).bind(2, digest.str()).run(); !status) return status;
  auto manifest = writer_->prepare("DELETE FROM manifests WHERE repository_id = ? AND digest = ?");
  if (!manifest) return fail(manifest.error());
  if (auto status = manifest->bind(1, **id).bind(2, digest.str()).run(); !status) return status;
  if (writer_->changes() == 0) return fail(manifest_unknown(digest.str()));
  return txn->commit();
}

common::Status MetadataStore::delete_tag(std::string_view repository, std::string_view tag) {
  std::lock_guard lock(write_mutex_);
  auto stmt = writer_->prepare(
      "DELETE FROM tags WHERE name = ? AND repository_id = (SELECT id FROM repositories WHERE name "
      "= ?)");
  if (!stmt) return fail(stmt.error());
  if (auto status = stmt->bind(1, tag).bind(2, repository).run(); !status) return status;
  if (writer_->changes() == 0)
    return fail(ErrorCode::kManifestUnknown, "tag unknown to registry", std::string(tag));
  return {};
}

common::Result<StoredManifest> MetadataStore::find_manifest(std::string_view repository,
                                                            std::string_view reference) {
  auto reader = readers_->acquire();
  // One snapshot for both reads, so a manifest deleted in between reads as unknown.
  auto snapshot_txn = reader->begin_read();
  if (!snapshot_txn) return fail(snapshot_txn.error());
  auto id = repository_id(*reader, repository, false);
  if (!id) return fail(id.error());
  if (!*id) return fail(name_unknown(repository));
  const bool by_digest = reference.find(':') != std::string_view::npos;
  auto stmt = reader->cached(
      by_digest ? "SELECT m.digest, m.media_type, c.content FROM manifests m "
                  "JOIN manifest_contents c ON c.repository_id = m.repository_id AND "
                  "c.digest = m.digest WHERE m.repository_id = ?1 AND m.digest = ?2"
                : "SELECT m.digest, m.media_type, c.content FROM tags t "
                  "JOIN manifests m ON m.repository_id = t.repository_id AND m.digest = t.digest "
                  "JOIN manifest_contents c ON c.repository_id = m.repository_id AND "
                  "c.digest = m.digest WHERE t.repository_id = ?1 AND t.name = ?2");
  if (!stmt) return fail(stmt.error());
  (*stmt)->bind(1, **id).bind(2, reference);
  auto row = (*stmt)->step();
  if (!row) return fail(row.error());
  if (!*row) return fail(manifest_unknown(reference));
  return manifest_row(**stmt);
}

common::Result<RepositorySnapshot> MetadataStore::load_repository(std::string_view repository) {
  auto reader = readers_->acquire();
  // Manifests and tags from one snapshot: a retag committed between the two reads would
  // otherwise leave a tag pointing at a manifest the snapshot lacks.
  auto snapshot_txn = reader->begin_read();
  if (!snapshot_txn) return fail(snapshot_txn.error());
  auto id = repository_id(*reader, repository, false);
  if (!id) return fail(id.error());
  if (!*id) return fail(name_unknown(repository));
  RepositorySnapshot snapshot;
  auto manifests = reader->prepare(
      "SELECT m.digest, m.media_type, c.content FROM manifests m JOIN manifest_contents c ON "
      "c.repository_id = m.repository_id AND c.digest = m.digest WHERE m.repository_id = ?");
  if (!manifests) return fail(manifests.error());
  manifests->bind(1, **id);
  auto read_manifests = manifests->for_each_row([&]() -> common::Status {
    auto manifest = manifest_row(*manifests);
    if (!manifest) return fail(manifest.error());
    snapshot.manifests.push_back(std::move(*manifest));
    return {};
  });
  if (!read_manifests) return fail(read_manifests.error());
  auto tags = reader->prepare("SELECT name, digest FROM tags WHERE repository_id = ?");
  if (!tags) return fail(tags.error());
  tags->bind(1, **id);
  auto read_tags = tags->for_each_row([&]() -> common::Status {
    auto digest = stored_digest(tags->column_text(1));
    if (!digest) return fail(digest.error());
    snapshot.tags.emplace_back(tags->column_text(0), std::move(*digest));
    return {};
  });
  if (!read_tags) return fail(read_tags.error());
  return snapshot;
}

common::Result<std::vector<std::string>> MetadataStore::list_tags(std::string_view repository,
                                                                  std::size_t limit,
                                                                  std::string_view last) {
  auto reader = readers_->acquire();
  auto id = repository_id(*reader, repository, false);
  if (!id) return fail(id.error());
  if (!*id) return fail(name_unknown(repository));
  auto stmt = reader->prepare(
      "SELECT name FROM tags WHERE repository_id = ? AND name > ? ORDER BY name LIMIT ?");
  if (!stmt) return fail(stmt.error());
  stmt->bind(1, **id).bind(2, last).bind(3, static_cast<std::int64_t>(limit));
  return first_column(*stmt);
}

common::Result<std::vector<std::string>> MetadataStore::list_repositories(std::size_t limit,
                                                                          std::string_view last) {
  auto reader = readers_->acquire();
  // Only repositories that hold a manifest are listed: a bare upload does not make one.
  auto stmt = reader->prepare(
      "SELECT r.name FROM repositories r WHERE r.name > ? AND EXISTS "
      "(SELECT 1 FROM manifests m WHERE m.repository_id = r.id) ORDER BY r.name LIMIT ?");
  if (!stmt) return fail(stmt.error());
  stmt->bind(1, last).bind(2, static_cast<std::int64_t>(limit));
  return first_column(*stmt);
}

common::Result<std::vector<Referrer>> MetadataStore::referrers(std::string_view repository,
                                                               const common::Digest& subject,
                                                               std::string_view artifact_type) {
  auto reader = readers_->acquire();
  auto stmt = reader->prepare(
      "SELECT m.digest, m.media_type, m.artifact_type, c.annotations, m.size FROM manifests m "
      "JOIN repositories r ON r.id = m.repository_id "
      "JOIN manifest_contents c ON c.repository_id = m.repository_id AND c.digest = m.digest "
      "WHERE r.name = ? AND m.subject = ? AND (? = '' OR m.artifact_type = ?) ORDER BY m.digest");
  if (!stmt) return fail(stmt.error());
  stmt->bind(1, repository).bind(2, subject.str()).bind(3, artifact_type).bind(4, artifact_type);
  std::vector<Referrer> out;
  auto status = stmt->for_each_row([&]() -> common::Status {
    auto digest = common::Digest::parse(stmt->column_text(0));
    if (!digest) return {};  // an unreadable row is left out of the list
    out.push_back(Referrer{std::move(*digest), stmt->column_text(1), stmt->column_text(2),
                           stmt->column_text(3), static_cast<std::uint64_t>(stmt->column_int(4))});
    return {};
  });
  if (!status) return fail(status.error());
  return out;
}

common::Result<bool> MetadataStore::drop_blob_if_unreferenced(const common::Digest& digest) {
  std::lock_guard lock(write_mutex_);
  auto txn = writer_->begin();
  if (!txn) return fail(txn.error());
  auto used = writer_->cached(
      "SELECT 1 FROM manifest_references WHERE target_digest = ? AND kind = 0 LIMIT 1");
  if (!used) return fail(used.error());
  auto found = (*used)->bind(1, digest.str()).step();
  if (!found) return fail(found.error());
  if (*found) return false;
  auto drop = writer_->cached("DELETE FROM repository_blobs WHERE digest = ?");
  if (!drop) return fail(drop.error());
  if (auto status = (*drop)->bind(1, digest.str()).run(); !status) return fail(status.error());
  if (auto status = txn->commit(); !status) return fail(status.error());
  return true;
}

common::Result<std::int64_t> MetadataStore::repository_count() {
  auto reader = readers_->acquire();
  auto stmt = reader->prepare("SELECT count(*) FROM repositories");
  if (!stmt) return fail(stmt.error());
  auto row = stmt->step();
  if (!row) return fail(row.error());
  return stmt->column_int(0);
}

}  // namespace registry::meta
