// render_desired_state(): a satellite's desired state from the groups it belongs to, formed
// by common::fleet_wire::StateComposer (the union of their artifacts, conflicting tags set
// on neither), the same way a satellite forms it from the signed group states. The result
// is sealed: its state_digest changes exactly when the rendered content does (a group's
// artifacts, which groups the satellite is in, the config, where state is published), so
// it serves as the state's ETag. Pure function.
#pragma once

#include <chrono>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/fleet_wire/satellite_state.hpp"
#include "common/fleet_wire/signature_policy.hpp"
#include "groundcontrol/model/artifact.hpp"

namespace groundcontrol::model {

// What one group contributes: every artifact it lists (explicit and Harbor-sourced).
struct GroupArtifacts {
  std::string_view group;
  std::span<const Artifact> artifacts;
  // Its image signature policy; null or off: none.
  const common::fleet_wire::SignaturePolicy* signature_policy = nullptr;
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

// `state_registry`: where ground control publishes signed state (empty url: nowhere).
common::fleet_wire::SatelliteState render_desired_state(
    std::string_view satellite, std::span<const GroupArtifacts> groups, const ConfigSummary& config,
    const common::fleet_wire::StateRegistry& state_registry = {});

}  // namespace groundcontrol::model
