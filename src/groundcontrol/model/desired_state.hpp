// render_desired_state(): a satellite's desired state from the groups it belongs to: the
// union of their artifacts, one entry per (repository, digest) with the tags of every group
// merged; a tag that two entries of one repository claim for different digests is set on
// neither and reported as a conflict (a satellite cannot hold both). The result is sealed:
// its state_digest changes exactly when the rendered content does (a group's artifacts,
// which groups the satellite is in, the config), so it serves as the state's ETag.
// Pure function.
#pragma once

#include <chrono>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/fleet_wire/satellite_state.hpp"
#include "groundcontrol/model/artifact.hpp"

namespace groundcontrol::model {

// What one group contributes: every artifact it lists (explicit and Harbor-sourced).
struct GroupArtifacts {
  std::string_view group;
  std::span<const Artifact> artifacts;
};

// The config a satellite follows, as far as its state names it.
struct ConfigSummary {
  std::string name;
  std::string digest;        // "sha256:…" of the config's spec
  std::string upstream_url;  // the registry to pull from
  // How often its satellites poll when no long-poll is held (not part of the rendering:
  // the digest already changes with the config's).
  std::chrono::seconds poll_interval{300};
  std::chrono::seconds heartbeat_interval{60};
};

common::fleet_wire::SatelliteState render_desired_state(std::string_view satellite,
                                                        std::span<const GroupArtifacts> groups,
                                                        const ConfigSummary& config);

}  // namespace groundcontrol::model
