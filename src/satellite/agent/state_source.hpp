// StateSource: where the agent's desired state comes from: ground control's long-poll, or,
// headless, a file on the site. next() blocks until there is a state other than the one
// the agent knows, or until its own wait is over (then nullopt), or until `stop`.
// Thread-safety: next() is called from the agent's feed thread only.
#pragma once

#include <optional>
#include <stop_token>
#include <string>

#include "common/fleet_wire/satellite_state.hpp"
#include "common/result.hpp"

namespace satellite::agent {

class StateSource {
 public:
  virtual ~StateSource() = default;
  // A state whose state_digest differs from `known_digest` ("" none yet), nullopt when
  // there is none after the source's wait; an error when the source cannot be read (the
  // agent keeps what it has and asks again later).
  [[nodiscard]] virtual common::Result<std::optional<common::fleet_wire::SatelliteState>> next(
      const std::string& known_digest, std::stop_token stop) = 0;
  // Names the source in logs ("state file /etc/…", "ground control https://…").
  [[nodiscard]] virtual std::string describe() const = 0;
};

}  // namespace satellite::agent
