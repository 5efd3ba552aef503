#include "groundcontrol/model/desired_state.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <tuple>

namespace groundcontrol::model {
namespace {

using common::Digest;
using common::fleet_wire::SatelliteState;
using common::fleet_wire::StateArtifact;
using common::fleet_wire::TagConflict;

struct Entry {
  std::string type;
  std::set<std::string> tags;
  std::set<std::string> groups;
};

using EntryKey = std::pair<std::string, Digest>;  // (repository, digest)

void drop_conflicting_tags(std::map<EntryKey, Entry>& entries, std::vector<TagConflict>& out) {
  // (repository, tag) → every digest that claims it.
  std::map<std::pair<std::string, std::string>, std::set<Digest>> claims;
  for (const auto& [key, entry] : entries)
    for (const auto& tag : entry.tags) claims[{key.first, tag}].insert(key.second);
  for (auto& [where, digests] : claims) {
    if (digests.size() < 2) continue;
    for (const auto& digest : digests) entries[{where.first, digest}].tags.erase(where.second);
    out.push_back({where.first, where.second, {digests.begin(), digests.end()}});
  }
}

}  // namespace

SatelliteState render_desired_state(std::string_view satellite,
                                    std::span<const GroupArtifacts> groups,
                                    const ConfigSummary& config) {
  SatelliteState state;
  state.satellite = std::string(satellite);
  state.config_name = config.name;
  state.config_digest = config.digest;
  state.upstream_url = config.upstream_url;

  std::set<std::string> group_names;
  std::map<EntryKey, Entry> entries;
  for (const auto& group : groups) {
    group_names.emplace(group.group);
    for (const auto& artifact : group.artifacts) {
      auto& entry = entries[{artifact.repository, artifact.digest}];
      // Two groups naming one digest with different types: the smallest name wins, so the
      // result does not depend on the order groups arrive in.
      if (entry.type.empty() || artifact.type < entry.type) entry.type = artifact.type;
      entry.tags.insert(artifact.tags.begin(), artifact.tags.end());
      entry.groups.emplace(group.group);
    }
  }
  drop_conflicting_tags(entries, state.conflicts);

  state.groups.assign(group_names.begin(), group_names.end());
  state.artifacts.reserve(entries.size());
  for (auto& [key, entry] : entries) {
    state.artifacts.push_back(StateArtifact{key.first,
                                            key.second,
                                            {entry.tags.begin(), entry.tags.end()},
                                            entry.type,
                                            {entry.groups.begin(), entry.groups.end()}});
  }
  common::fleet_wire::seal(state);
  return state;
}

}  // namespace groundcontrol::model
