// ArtifactSetStore: the SQL of a group's artifact sets that do not come from its spec, one
// table per source, each kept apart from the spec so that no source ever touches what an
// operator listed (and the other way round):
//   kHarbor  `harbor_artifacts`: what Harbor's replication sent in its state file;
//   kRules   `rule_artifacts`: what the group's rules last selected from the registries.
// Stateless; calls run in the caller's transaction.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "common/sql/connection.hpp"
#include "groundcontrol/model/artifact.hpp"

namespace groundcontrol::store {

enum class ArtifactSource { kHarbor, kRules };

class ArtifactSetStore {
 public:
  explicit ArtifactSetStore(ArtifactSource source);

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

 private:
  std::string table_;
  std::string select_;  // every column, from table_
};

}  // namespace groundcontrol::store
