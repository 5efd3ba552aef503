// DesiredStateStore: the last desired state the agent received, kept on disk
// (`<data-dir>/agent/desired-state.json`, written atomically) so that a satellite restarted
// while ground control is unreachable still serves and reconciles towards it.
// Not thread-safe: used by the agent's feed thread and at start.
#pragma once

#include <optional>
#include <string>

#include "common/fleet_wire/satellite_state.hpp"
#include "common/result.hpp"

namespace satellite::agent {

class DesiredStateStore {
 public:
  explicit DesiredStateStore(std::string path) : path_(std::move(path)) {}
  // The stored state; nullopt when none was ever stored. kInvalidArgument when the file is
  // not a state document (it is then ignored by the agent, and replaced by the next state).
  [[nodiscard]] common::Result<std::optional<common::fleet_wire::SatelliteState>> load() const;
  // Replaces the stored state atomically.
  [[nodiscard]] common::Status save(const common::fleet_wire::SatelliteState& state) const;

 private:
  std::string path_;
};

}  // namespace satellite::agent
