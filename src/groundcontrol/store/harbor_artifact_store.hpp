// HarborArtifactStore: the SQL of `harbor_artifacts`, each group's artifacts as Harbor's
// replication sent them, kept apart from the group's spec so that a replication run never
// touches what an operator listed (and the other way round). Stateless; calls run in the
// caller's transaction.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "common/sql/connection.hpp"
#include "groundcontrol/model/artifact.hpp"

namespace groundcontrol::store {

class HarborArtifactStore {
 public:
  // Inserts or replaces (group, repository, digest).
  [[nodiscard]] common::Status upsert(common::sql::Connection& db, std::string_view group,
                                      const model::Artifact& artifact) const;
  // Removes one entry; absent is fine. Returns whether one went.
  [[nodiscard]] common::Result<bool> remove(common::sql::Connection& db, std::string_view group,
                                            std::string_view repository,
                                            std::string_view digest) const;
  // Removes every entry of `group`; returns how many.
  [[nodiscard]] common::Result<std::int64_t> clear(common::sql::Connection& db,
                                                   std::string_view group) const;
  // The group's entries ordered by (repository, digest).
  [[nodiscard]] common::Result<std::vector<model::Artifact>> list(common::sql::Connection& db,
                                                                  std::string_view group) const;
  // Every group's entries.
  [[nodiscard]] common::Result<std::map<std::string, std::vector<model::Artifact>, std::less<>>>
  list_all(common::sql::Connection& db) const;
};

}  // namespace groundcontrol::store
