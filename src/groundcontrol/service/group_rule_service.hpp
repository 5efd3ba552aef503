// GroupRuleService: evaluates a Group's rules (model/group_rule.hpp) against its registry
// endpoints and keeps what they select as the group's rule set (store::ArtifactSource::
// kRules), which the fleet view adds to the artifacts its spec lists. Each evaluation
// compares the new selection with the stored one and records every change as an event on
// the group (verb "rule-add", "rule-remove", "rule-move": a tag now naming another digest),
// listed by GET /api/v1/events?kind=Group&name=G; the changes, the new set, the group's
// status.rules and the events commit in one transaction, as one revision.
//
// A failed evaluation (an endpoint that is unknown, unreachable, refuses the credentials or
// answers garbage) never empties the group: the last good set stays, and the error shows in
// the group's status.rules.error and in the endpoint's status.lastError.
//
// Repositories: a rule whose repository glob has no wildcard names one repository, which
// is read directly (no catalog needed, so a Harbor robot or a registry without _catalog
// does); otherwise the endpoint's repositories are listed and filtered.
// Blocking (database and registries): call from the blocking pool or the job runner.
// Thread-safety: every call from any thread; two evaluations of one group at once both
// commit, the later one's set winning.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.hpp"
#include "common/result.hpp"
#include "common/sql/database.hpp"
#include "groundcontrol/model/artifact.hpp"
#include "groundcontrol/model/group_rule.hpp"
#include "groundcontrol/service/fleet_sync.hpp"
#include "groundcontrol/service/registry_endpoint_service.hpp"
#include "groundcontrol/service/resource_service.hpp"
#include "groundcontrol/store/artifact_set_store.hpp"
#include "groundcontrol/store/event_store.hpp"
#include "groundcontrol/store/resource_store.hpp"

namespace groundcontrol::service {

struct RuleEvaluation {
  std::string group;
  std::string time;          // RFC 3339
  std::size_t selected = 0;  // artifacts in the group's rule set now
  std::size_t added = 0, removed = 0, moved = 0;
  std::optional<std::string> error;  // why the evaluation failed (the set was kept)
};

class GroupRuleService {
 public:
  GroupRuleService(common::sql::Database& db, const common::Clock& clock,
                   ResourceService& resources, RegistryEndpointService& endpoints, FleetSync& sync)
      : db_(db), clock_(clock), resources_(resources), endpoints_(endpoints), sync_(sync) {}

  // Evaluates `group`'s rules now (a group without rules gets an empty rule set). A failed
  // evaluation is a result with `error` set. Errors: kNotFound for an unknown group, the
  // database's.
  [[nodiscard]] common::Result<RuleEvaluation> evaluate(std::string_view group, const Actor& actor);
  // Evaluates every group that has rules, or had a rule set (the periodic job); returns the
  // evaluations made.
  [[nodiscard]] common::Result<std::vector<RuleEvaluation>> evaluate_all(const Actor& actor);

 private:
  // What `rules` select now, merged per (repository, digest); an error names the rule.
  common::Result<std::vector<model::Artifact>> select(const std::vector<model::GroupRule>& rules);
  // Commits `selected` as `group`'s rule set with its events and status; fills the counts.
  // kConflict when the group's spec is no longer at `generation` (its rules changed while
  // they were evaluated): nothing is written, and the caller evaluates again.
  [[nodiscard]] common::Result<RuleEvaluation> evaluate_once(std::string_view group,
                                                             const Actor& actor);
  common::Status commit(std::string_view group, std::int64_t generation,
                        std::vector<model::Artifact> selected, const Actor& actor,
                        RuleEvaluation& evaluation);
  // Records a failed evaluation in the group's status (the set untouched).
  common::Status record_failure(std::string_view group, const RuleEvaluation& evaluation);

  common::sql::Database& db_;
  const common::Clock& clock_;
  ResourceService& resources_;
  RegistryEndpointService& endpoints_;
  FleetSync& sync_;
  store::ResourceStore resource_store_;
  store::ArtifactSetStore rule_sets_{store::ArtifactSource::kRules};
  store::EventStore events_;
};

}  // namespace groundcontrol::service
