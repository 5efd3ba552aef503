#include "groundcontrol/model/desired_state.hpp"

#include "common/fleet_wire/state_composer.hpp"

namespace groundcontrol::model {

common::fleet_wire::SatelliteState render_desired_state(
    std::string_view satellite, std::span<const GroupArtifacts> groups, const ConfigSummary& config,
    const common::fleet_wire::StateRegistry& state_registry) {
  common::fleet_wire::StateComposer composer;
  for (const auto& group : groups) {
    composer.add_group(group.group);
    for (const auto& artifact : group.artifacts) {
      composer.add(group.group, artifact.repository, artifact.digest, artifact.tags, artifact.type);
    }
  }
  common::fleet_wire::SatelliteState base;
  for (const auto& group : groups) {
    const auto* policy = group.signature_policy;
    if (policy != nullptr && policy->mode != common::fleet_wire::SignatureMode::kOff)
      base.signature_policies.emplace(std::string(group.group), *policy);
  }
  base.satellite = std::string(satellite);
  base.config_name = config.name;
  base.config_digest = config.digest;
  base.upstream_url = config.upstream_url;
  base.state_registry = state_registry;
  return composer.finish(std::move(base));
}

}  // namespace groundcontrol::model
