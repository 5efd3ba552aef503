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

// Identity: users and their login sessions, satellites' enrollment tokens and issued
// certificates, and key material sealed under the master key (ADR 0006).
constexpr std::string_view kIdentity = R"sql(
CREATE TABLE users (
  name KEY_TEXT PRIMARY KEY,
  password_hash TEXT NOT NULL,
  role TEXT NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);

-- Bearer tokens of logged-in users, by the SHA-256 of the token (never the token).
CREATE TABLE sessions (
  token_digest KEY_TEXT PRIMARY KEY,
  user_name KEY_TEXT NOT NULL REFERENCES users (name) ON DELETE CASCADE,
  created_at TEXT NOT NULL,
  expires_at TEXT NOT NULL
);
CREATE INDEX sessions_by_user ON sessions (user_name);

-- One-time enrollment tokens of satellites, by digest; burned by the enrollment.
CREATE TABLE enrollment_tokens (
  token_digest KEY_TEXT PRIMARY KEY,
  satellite KEY_TEXT NOT NULL,
  created_at TEXT NOT NULL,
  expires_at TEXT NOT NULL
);
CREATE INDEX enrollment_tokens_by_satellite ON enrollment_tokens (satellite);

-- Every certificate the CA issued, so a serial is known, owned and revocable.
CREATE TABLE certificates (
  serial KEY_TEXT PRIMARY KEY,
  satellite KEY_TEXT NOT NULL,
  not_before TEXT NOT NULL,
  not_after TEXT NOT NULL,
  revoked_at TEXT
);
CREATE INDEX certificates_by_satellite ON certificates (satellite);

-- Key material (the CA's key, later the state-signing key), sealed with SecretBox.
CREATE TABLE secrets (
  name KEY_TEXT PRIMARY KEY,
  sealed BYTES_TYPE NOT NULL,
  public_part TEXT NOT NULL,
  created_at TEXT NOT NULL
);
)sql";

// What satellites report: the latest heartbeat of each, written in batches (ADR 0006 §2),
// apart from `resources` so that heartbeats never bump a resourceVersion.
constexpr std::string_view kSatelliteStatus = R"sql(
CREATE TABLE satellite_status (
  satellite KEY_TEXT PRIMARY KEY,
  heartbeat_at TEXT NOT NULL,
  reported_time TEXT NOT NULL,
  clock_offset_ms BIGINT NOT NULL,
  version TEXT NOT NULL,
  uptime_seconds BIGINT NOT NULL,
  disk_used_bytes BIGINT NOT NULL,
  disk_free_bytes BIGINT NOT NULL,
  bytes_transferred BIGINT NOT NULL,
  applied_state_digest TEXT NOT NULL
);
)sql";

// What satellites report of their progress, apart from heartbeats (they come at another
// rate), and the leases that let one replica run each periodic job (ADR 0006 §5).
constexpr std::string_view kReportsAndLeases = R"sql(
CREATE TABLE satellite_reports (
  satellite KEY_TEXT PRIMARY KEY,
  reported_at TEXT NOT NULL,
  state_digest TEXT NOT NULL,
  present BIGINT NOT NULL,
  pulling BIGINT NOT NULL,
  failed BIGINT NOT NULL,
  document TEXT NOT NULL
);

-- The connectivity and sync state each satellite's resource status last showed, so the
-- roll-up writes a status change only when one moves.
CREATE TABLE satellite_rollup (
  satellite KEY_TEXT PRIMARY KEY,
  connectivity TEXT NOT NULL,
  sync TEXT NOT NULL
);

CREATE TABLE leases (
  name KEY_TEXT PRIMARY KEY,
  holder TEXT NOT NULL,
  expires_at TEXT NOT NULL
);
)sql";

// Enrollment without a token and Harbor's credentials: the EnrollmentRequests still
// waiting for an admin (the resource itself lives in `resources`; this row exists while it
// is Pending, so the cap on pending requests is one count), and each group's access id and
// secret digest for Harbor's state file (the secret itself is never stored).
constexpr std::string_view kRequestsAndCredentials = R"sql(
CREATE TABLE pending_enrollment_requests (
  name KEY_TEXT PRIMARY KEY,
  created_at TEXT NOT NULL
);

CREATE TABLE group_credentials (
  access_id KEY_TEXT PRIMARY KEY,
  group_name KEY_TEXT NOT NULL,
  secret_digest TEXT NOT NULL,
  created_at TEXT NOT NULL
);
CREATE INDEX group_credentials_by_group ON group_credentials (group_name, created_at);
)sql";

// CA rotation (issue 11): which CA signed each certificate (the SHA-256 fingerprint of its
// certificate; '' for those issued before this step, all by the one CA there was, filled in
// by the first rotation), and when a newer certificate of the same satellite took its
// place, so that "satellites still holding a certificate from this CA" is one count.
constexpr std::string_view kCertificateIssuers = R"sql(
ALTER TABLE certificates ADD COLUMN issuer TEXT NOT NULL DEFAULT '';
ALTER TABLE certificates ADD COLUMN superseded_at TEXT;
UPDATE certificates SET superseded_at = not_before
  WHERE EXISTS (SELECT 1 FROM certificates newer WHERE newer.satellite = certificates.satellite
                AND newer.not_before > certificates.not_before);
CREATE INDEX certificates_by_issuer ON certificates (issuer);
)sql";

// Group rules (issue 13): what each group's rules last selected from the registries, apart
// from its spec and its Harbor set (the same shape as harbor_artifacts).
constexpr std::string_view kRuleArtifacts = R"sql(
CREATE TABLE rule_artifacts (
  group_name KEY_TEXT NOT NULL,
  repository KEY_TEXT NOT NULL,
  digest KEY_TEXT NOT NULL,
  tags TEXT NOT NULL,
  type TEXT NOT NULL,
  labels TEXT NOT NULL,
  PRIMARY KEY (group_name, repository, digest)
);
)sql";

// Signed state artifacts (issue 13): what was last published into each state repository.
constexpr std::string_view kStatePublications = R"sql(
CREATE TABLE state_publications (
  repository KEY_TEXT PRIMARY KEY,
  version BIGINT NOT NULL,
  document_digest TEXT NOT NULL,
  manifest_digest TEXT NOT NULL,
  published_at TEXT NOT NULL
);
)sql";

// Harbor robot accounts of satellites (issue 13): ids, names, projects, expiry; no secrets.
constexpr std::string_view kSatelliteRobots = R"sql(
CREATE TABLE satellite_robots (
  satellite KEY_TEXT PRIMARY KEY,
  robot_id BIGINT NOT NULL,
  robot_name TEXT NOT NULL,
  projects TEXT NOT NULL,
  expires_at TEXT NOT NULL
);
)sql";

// The NATS command channel (issue 15, docs/adr/0008): every command sent to a satellite,
// from stored to answered or expired; and the satellites that hold NATS credentials (the
// ones that get commands at all).
constexpr std::string_view kSatelliteCommands = R"sql(
CREATE TABLE satellite_commands (
  id KEY_TEXT PRIMARY KEY,
  satellite KEY_TEXT NOT NULL,
  type TEXT NOT NULL,
  state_digest TEXT NOT NULL,
  actor TEXT NOT NULL,
  created_at TEXT NOT NULL,
  expires_at TEXT NOT NULL,
  phase TEXT NOT NULL,
  sent_at TEXT NOT NULL,
  stream_sequence BIGINT NOT NULL,
  answered_at TEXT NOT NULL,
  reason TEXT NOT NULL
);
CREATE INDEX satellite_commands_by_satellite ON satellite_commands (satellite, created_at);
CREATE INDEX satellite_commands_by_phase ON satellite_commands (phase, created_at);
CREATE TABLE satellite_nats_users (
  satellite KEY_TEXT PRIMARY KEY,
  public_key TEXT NOT NULL,
  issued_at TEXT NOT NULL,
  expires_at TEXT NOT NULL,
  commanded_state_digest TEXT NOT NULL
);
)sql";

// Retired state publications (issue 13): a state gone from the fleet has its manifests
// deleted from the registry, and its row kept with the time, so the versions continue.
constexpr std::string_view kRetiredStatePublications = R"sql(
ALTER TABLE state_publications ADD COLUMN retired_at TEXT NOT NULL DEFAULT '';
)sql";

void replace_all(std::string& text, std::string_view word, std::string_view by) {
  for (auto at = text.find(word); at != std::string::npos; at = text.find(word, at + by.size()))
    text.replace(at, word.size(), by);
}

// The DDL for one engine: KEY_TEXT and BYTES_TYPE spelt as that engine wants them.
std::string with_key_text(std::string_view ddl, std::string_view key_text,
                          std::string_view bytes_type = "BLOB") {
  std::string out(ddl);
  replace_all(out, "KEY_TEXT", key_text);
  replace_all(out, "BYTES_TYPE", bytes_type);
  return out;
}

}  // namespace

std::span<const common::sql::Migration> migrations() {
  // Built once, immutable afterwards.
  static const std::string sqlite_1 = with_key_text(kResources, "TEXT");
  static const std::string postgres_1 = with_key_text(kResources, "TEXT COLLATE \"C\"");
  static const std::string sqlite_2 = with_key_text(kIdentity, "TEXT", "BLOB");
  static const std::string postgres_2 = with_key_text(kIdentity, "TEXT COLLATE \"C\"", "BYTEA");
  static const std::string sqlite_3 = with_key_text(kSatelliteStatus, "TEXT");
  static const std::string postgres_3 = with_key_text(kSatelliteStatus, "TEXT COLLATE \"C\"");
  static const std::string sqlite_4 = with_key_text(kReportsAndLeases, "TEXT");
  static const std::string postgres_4 = with_key_text(kReportsAndLeases, "TEXT COLLATE \"C\"");
  static const std::string sqlite_5 = with_key_text(kRequestsAndCredentials, "TEXT");
  static const std::string postgres_5 =
      with_key_text(kRequestsAndCredentials, "TEXT COLLATE \"C\"");
  static const std::string certificate_issuers(kCertificateIssuers);
  static const std::string sqlite_7 = with_key_text(kRuleArtifacts, "TEXT");
  static const std::string postgres_7 = with_key_text(kRuleArtifacts, "TEXT COLLATE \"C\"");
  static const std::string sqlite_8 = with_key_text(kStatePublications, "TEXT");
  static const std::string postgres_8 = with_key_text(kStatePublications, "TEXT COLLATE \"C\"");
  static const std::string sqlite_9 = with_key_text(kSatelliteRobots, "TEXT");
  static const std::string postgres_9 = with_key_text(kSatelliteRobots, "TEXT COLLATE \"C\"");
  static const std::string sqlite_10 = with_key_text(kSatelliteCommands, "TEXT");
  static const std::string postgres_10 = with_key_text(kSatelliteCommands, "TEXT COLLATE \"C\"");
  static const std::string retired_state_publications(kRetiredStatePublications);
  static const std::array steps = {
      common::sql::Migration{1, "resources, changes, harbor artifacts, events", sqlite_1,
                             postgres_1},
      common::sql::Migration{2, "users, sessions, enrollment tokens, certificates, secrets",
                             sqlite_2, postgres_2},
      common::sql::Migration{3, "satellite status (heartbeats)", sqlite_3, postgres_3},
      common::sql::Migration{4, "satellite status reports, roll-up, leases", sqlite_4, postgres_4},
      common::sql::Migration{5, "pending enrollment requests, group credentials", sqlite_5,
                             postgres_5},
      common::sql::Migration{6, "certificates: issuing CA, superseded", certificate_issuers,
                             certificate_issuers},
      common::sql::Migration{7, "rule artifacts", sqlite_7, postgres_7},
      common::sql::Migration{8, "state publications", sqlite_8, postgres_8},
      common::sql::Migration{9, "satellite robot accounts", sqlite_9, postgres_9},
      common::sql::Migration{10, "satellite commands, NATS users", sqlite_10, postgres_10},
      common::sql::Migration{11, "state publications: retired", retired_state_publications,
                             retired_state_publications},
  };
  return steps;
}

common::sql::DatabaseOptions database_options(common::sql::DatabaseOptions base) {
  base.serialize_writes_on = "revision";
  return base;
}

}  // namespace groundcontrol::store
