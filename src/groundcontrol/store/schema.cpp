#include "groundcontrol/store/schema.hpp"

#include <array>
#include <string>

namespace groundcontrol::store {
namespace {

// Portable DDL: TEXT and BIGINT mean the same on both engines; JSON documents are TEXT
// written by the model's codecs; times are RFC 3339 UTC text, so text order is time order.
// KEY_TEXT is a text column that is sorted and paged by: byte order on both engines
// (SQLite's default BINARY; PostgreSQL's "C", whatever the database's locale), so that a
// page boundary and every C++ comparison agree.
constexpr std::string_view kResources = R"sql(
CREATE TABLE revision (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  value BIGINT NOT NULL
);
INSERT INTO revision (id, value) VALUES (1, 0);

-- Every management-API resource: one row per (kind, name).
CREATE TABLE resources (
  kind KEY_TEXT NOT NULL,
  name KEY_TEXT NOT NULL,
  uid TEXT NOT NULL,
  resource_version BIGINT NOT NULL,
  generation BIGINT NOT NULL,
  created_at TEXT NOT NULL,
  labels TEXT NOT NULL,
  annotations TEXT NOT NULL,
  spec TEXT NOT NULL,
  status TEXT NOT NULL,
  PRIMARY KEY (kind, name)
);

-- One row per change, in revision order: what watches and every replica's fleet view tail.
CREATE TABLE changes (
  revision BIGINT PRIMARY KEY,
  kind KEY_TEXT NOT NULL,
  name KEY_TEXT NOT NULL,
  type TEXT NOT NULL,
  at TEXT NOT NULL,
  object TEXT NOT NULL
);

-- The artifacts Harbor's replication sent for a group, apart from the group's spec.
CREATE TABLE harbor_artifacts (
  group_name KEY_TEXT NOT NULL,
  repository KEY_TEXT NOT NULL,
  digest KEY_TEXT NOT NULL,
  tags TEXT NOT NULL,
  type TEXT NOT NULL,
  labels TEXT NOT NULL,
  PRIMARY KEY (group_name, repository, digest)
);

-- The audit trail: who changed what, when.
CREATE TABLE events (
  revision BIGINT NOT NULL,
  at TEXT NOT NULL,
  actor TEXT NOT NULL,
  verb TEXT NOT NULL,
  kind KEY_TEXT NOT NULL,
  name KEY_TEXT NOT NULL,
  message TEXT NOT NULL
);
CREATE INDEX events_by_object ON events (kind, name, revision);
CREATE INDEX events_by_revision ON events (revision);
)sql";

std::string with_key_text(std::string_view ddl, std::string_view key_text) {
  std::string out(ddl);
  for (auto at = out.find("KEY_TEXT"); at != std::string::npos; at = out.find("KEY_TEXT", at))
    out.replace(at, 8, key_text);
  return out;
}

}  // namespace

std::span<const common::sql::Migration> migrations() {
  // Built once, immutable afterwards.
  static const std::string sqlite_1 = with_key_text(kResources, "TEXT");
  static const std::string postgres_1 = with_key_text(kResources, "TEXT COLLATE \"C\"");
  static const std::array steps = {
      common::sql::Migration{1, "resources, changes, harbor artifacts, events", sqlite_1,
                             postgres_1},
  };
  return steps;
}

}  // namespace groundcontrol::store
