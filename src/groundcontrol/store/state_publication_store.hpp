// StatePublicationStore: the SQL of `state_publications`, what ground control last
// published into each state repository of the central registry (docs/state-artifacts.md):
// the version (which only grows, so that satellites can refuse a rollback), the digest of
// the document (to tell whether a state changed since) and of its manifest. Kept in the
// database, not only in memory, so that a restarted or another replica continues the
// versions rather than starting over at 1. Stateless; calls run in the caller's transaction.
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
};

class StatePublicationStore {
 public:
  // Every publication, sorted by repository.
  [[nodiscard]] common::Result<std::vector<StatePublication>> list(
      common::sql::Connection& db) const;
  // Records `publication`, replacing the repository's previous one only when its version
  // is older (a replica that lost its lease cannot move a version back); true when
  // recorded.
  [[nodiscard]] common::Result<bool> record(common::sql::Connection& db,
                                            const StatePublication& publication) const;
};

}  // namespace groundcontrol::store
