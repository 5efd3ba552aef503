// StateComposer: forms one satellite's desired state from the groups it belongs to, the
// same way on both sides: ground control renders it from its database, and a satellite that
// reads the signed group states from the central registry (ground control down) forms it
// from those. The union of the groups' artifacts, one entry per (repository, digest) with
// the tags of every group merged; a tag that two entries of one repository claim for
// different digests is set on neither and reported as a conflict (a satellite cannot hold
// both). Two groups naming one digest with different types: the smallest type wins, so the
// result does not depend on the order groups are added in.
// Use: add() each group's artifacts, then finish(). One thread.
#pragma once

#include <map>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <utility>

#include "common/digest.hpp"
#include "common/fleet_wire/satellite_state.hpp"

namespace common::fleet_wire {

class StateComposer {
 public:
  // Counts `group` as one of the satellite's groups, also when it adds no artifact.
  void add_group(std::string_view group);
  // One artifact that `group` asks for.
  void add(std::string_view group, std::string_view repository, const Digest& digest,
           std::span<const std::string> tags, std::string_view type);

  // The state with the other fields of `base` (satellite, config, upstream, state
  // registry), sealed. The composer is left empty.
  [[nodiscard]] SatelliteState finish(SatelliteState base);

 private:
  struct Entry {
    std::string type;
    std::set<std::string> tags;
    std::set<std::string> groups;
  };
  std::set<std::string, std::less<>> groups_;
  std::map<std::pair<std::string, Digest>, Entry> entries_;
};

}  // namespace common::fleet_wire
