// The registry's SQLite schema as numbered migrations. A step is never edited once
// released; changes are new steps, so an upgraded binary opens an old data dir.
#pragma once

#include <array>

#include "common/db/sqlite_database.hpp"

namespace registry::meta {

inline constexpr std::array kMigrations = {
    common::db::Migration{1, R"sql(
CREATE TABLE repositories (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  created_at INTEGER NOT NULL
);
-- A repository may serve a blob only once it holds a link to it (pushed, mounted).
CREATE TABLE repository_blobs (
  repository_id INTEGER NOT NULL REFERENCES repositories(id) ON DELETE CASCADE,
  digest TEXT NOT NULL,
  PRIMARY KEY (repository_id, digest)
) WITHOUT ROWID;
CREATE INDEX repository_blobs_by_digest ON repository_blobs(digest);
CREATE TABLE manifests (
  repository_id INTEGER NOT NULL REFERENCES repositories(id) ON DELETE CASCADE,
  digest TEXT NOT NULL,
  media_type TEXT NOT NULL,
  artifact_type TEXT NOT NULL DEFAULT '',
  subject TEXT,
  annotations TEXT NOT NULL DEFAULT '{}',
  content BLOB NOT NULL,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (repository_id, digest)
) WITHOUT ROWID;
CREATE INDEX manifests_by_subject ON manifests(repository_id, subject) WHERE subject IS NOT NULL;
-- What each manifest points at: kind 0 = blob (config, layer), 1 = child manifest.
CREATE TABLE manifest_references (
  repository_id INTEGER NOT NULL,
  manifest_digest TEXT NOT NULL,
  target_digest TEXT NOT NULL,
  kind INTEGER NOT NULL,
  PRIMARY KEY (repository_id, manifest_digest, target_digest),
  FOREIGN KEY (repository_id, manifest_digest) REFERENCES manifests(repository_id, digest) ON DELETE CASCADE
) WITHOUT ROWID;
CREATE INDEX manifest_references_by_target ON manifest_references(target_digest, kind);
CREATE TABLE tags (
  repository_id INTEGER NOT NULL REFERENCES repositories(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  digest TEXT NOT NULL,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (repository_id, name),
  FOREIGN KEY (repository_id, digest) REFERENCES manifests(repository_id, digest)
) WITHOUT ROWID;
)sql"},
    // Manifest bytes and annotations leave the manifests table. In a WITHOUT ROWID table a
    // row is a b-tree key, and SQLite reads a key's whole payload (overflow pages too) to
    // compare it: every child lookup of an index PUT copied a 7 MB neighbour row under the
    // write lock. Content now lives in a rowid table that only reads of content touch.
    common::db::Migration{2, R"sql(
CREATE TABLE manifest_contents (
  id INTEGER PRIMARY KEY,
  repository_id INTEGER NOT NULL,
  digest TEXT NOT NULL,
  annotations TEXT NOT NULL DEFAULT '{}',
  content BLOB NOT NULL,
  UNIQUE (repository_id, digest),
  FOREIGN KEY (repository_id, digest) REFERENCES manifests(repository_id, digest) ON DELETE CASCADE
);
ALTER TABLE manifests ADD COLUMN size INTEGER NOT NULL DEFAULT 0;
UPDATE manifests SET size = length(content);
INSERT INTO manifest_contents (repository_id, digest, annotations, content)
  SELECT repository_id, digest, annotations, content FROM manifests;
ALTER TABLE manifests DROP COLUMN content;
ALTER TABLE manifests DROP COLUMN annotations;
)sql"},
};

}  // namespace registry::meta
