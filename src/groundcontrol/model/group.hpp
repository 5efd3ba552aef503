// Group: a set of artifacts and the satellites that must hold them. Artifacts come from
// the spec's explicit list, from Harbor's state file and from the spec's rules evaluated
// against registry endpoints (the last two kept apart, in the store, so neither a
// replication run nor a rule evaluation ever touches what an operator listed); members are the
// satellites the selector matches plus those listed by name. Membership is set on the group only.
// Plain value types and their JSON codec.
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <vector>

#include "common/fleet_wire/signature_policy.hpp"
#include "common/result.hpp"
#include "groundcontrol/model/artifact.hpp"
#include "groundcontrol/model/group_rule.hpp"
#include "groundcontrol/model/label_selector.hpp"

namespace groundcontrol::model {

inline constexpr std::size_t kMaxGroupArtifacts = 10'000;
inline constexpr std::size_t kMaxGroupSatellites = 10'000;

struct GroupSpec {
  std::vector<Artifact> artifacts;        // explicit, sorted by (repository, digest), unique
  std::optional<LabelSelector> selector;  // absent: no member by labels
  std::vector<std::string> satellites;    // explicit members, sorted, unique
  std::vector<GroupRule> rules;           // artifacts selected from registry endpoints
  // What the members check of its images' cosign signatures (absent: nothing).
  std::optional<common::fleet_wire::SignaturePolicy> signature_policy;

  // True when `satellite` with `labels` is a member.
  bool has_member(std::string_view satellite, const Labels& labels) const;
};

// Reads `spec` of a Group: artifacts (repository, digest, tags, type), selector
// ({matchLabels, matchExpressions} as Kubernetes writes it), satellites. kInvalidArgument
// naming the field; two entries for one (repository, digest) are refused, not merged.
[[nodiscard]] common::Result<GroupSpec> parse_group_spec(const nlohmann::json& value);
nlohmann::json to_json(const GroupSpec& spec);

// The artifact list codec shared by the spec and the stored Harbor set.
[[nodiscard]] common::Result<std::vector<Artifact>> parse_artifacts(const nlohmann::json& value,
                                                                    std::string_view path);
nlohmann::json artifacts_to_json(const std::vector<Artifact>& artifacts);

}  // namespace groundcontrol::model
