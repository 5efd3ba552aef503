#include "common/fleet_wire/state_composer.hpp"

#include <vector>

namespace common::fleet_wire {

void StateComposer::add_group(std::string_view group) {
  if (!groups_.contains(group)) groups_.emplace(group);
}

void StateComposer::add(std::string_view group, std::string_view repository, const Digest& digest,
                        std::span<const std::string> tags, std::string_view type) {
  add_group(group);
  auto& entry = entries_[{std::string(repository), digest}];
  if (entry.type.empty() || type < entry.type) entry.type = std::string(type);
  entry.tags.insert(tags.begin(), tags.end());
  entry.groups.emplace(group);
}

SatelliteState StateComposer::finish(SatelliteState base) {
  base.groups.assign(groups_.begin(), groups_.end());
  base.artifacts.clear();
  base.conflicts.clear();
  // (repository, tag) → every digest that claims it.
  std::map<std::pair<std::string, std::string>, std::set<Digest>> claims;
  for (const auto& [key, entry] : entries_)
    for (const auto& tag : entry.tags) claims[{key.first, tag}].insert(key.second);
  for (auto& [where, digests] : claims) {
    if (digests.size() < 2) continue;
    for (const auto& digest : digests) entries_[{where.first, digest}].tags.erase(where.second);
    base.conflicts.push_back({where.first, where.second, {digests.begin(), digests.end()}});
  }
  base.artifacts.reserve(entries_.size());
  for (auto& [key, entry] : entries_) {
    base.artifacts.push_back(StateArtifact{key.first,
                                           key.second,
                                           {entry.tags.begin(), entry.tags.end()},
                                           entry.type,
                                           {entry.groups.begin(), entry.groups.end()}});
  }
  groups_.clear();
  entries_.clear();
  seal(base);
  return base;
}

}  // namespace common::fleet_wire
