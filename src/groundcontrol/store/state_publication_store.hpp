// StatePublicationStore: the SQL of `state_publications`, what ground control last
// published into each state repository of the central registry (docs/state-artifacts.md):
// the version (which only grows, so that satellites can refuse a rollback), the digest of
// the document (to tell whether a state changed since) and of its manifest. Kept in the
// database, not only in memory, so that a restarted or another replica continues the
// versions rather than starting over at 1. A retired publication (its state gone from the
// fleet, its manifests deleted from the registry) keeps its row, so that a state made again
// under the same name continues above its last version: satellites refuse a version that goes
// back. Stateless; calls run in the caller's transaction.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "common/sql/connection.hpp"

namespace groundcontrol::store {

struct StatePublication {
  std::string repository;       // "satellite/group-state/<group>/state"
  std::uint64_t version = 0;    // ≥ 1
  std::string document_digest;  // "sha256:…" of the document published
  std::string manifest_digest;  // "sha256:…" of its manifest
  std::string published_at;     // RFC 3339 UTC
  std::string retired_at;       // RFC 3339 UTC when retired; empty while the state exists
};

class StatePublicationStore {
 public:
  // Every publication, sorted by repository.
  [[nodiscard]] common::Result<std::vector<StatePublication>> list(
      common::sql::Connection& db) const;
  // Records `publication` (live: its retired_at is ignored), replacing the repository's
  // previous one only when its version is older (a replica that lost its lease cannot move a
  // version back); true when recorded.
  [[nodiscard]] common::Result<bool> record(common::sql::Connection& db,
                                            const StatePublication& publication) const;
  // Marks the repository's publication at `version` retired at `at`; false when it is not
  // there at that version or already retired (another replica published or retired it).
  [[nodiscard]] common::Result<bool> retire(common::sql::Connection& db,
                                            std::string_view repository, std::uint64_t version,
                                            std::string_view at) const;
};

}  // namespace groundcontrol::store
