#include "satellite/agent/desired_state_store.hpp"

#include <fmt/format.h>

#include "common/fs/file_ops.hpp"

namespace satellite::agent {

common::Result<std::optional<common::fleet_wire::SatelliteState>> DesiredStateStore::load() const {
  auto text = common::fs::read_file(path_);
  if (!text) {
    if (text.error().code() == common::ErrorCode::kNotFound)
      return std::optional<common::fleet_wire::SatelliteState>();
    return common::fail(text.error());
  }
  auto state = common::fleet_wire::parse_satellite_state(*text);
  if (!state)
    return common::fail(common::ErrorCode::kInvalidArgument,
                        fmt::format("{}: {}", path_, state.error().message()));
  return std::optional<common::fleet_wire::SatelliteState>(std::move(*state));
}

common::Status DesiredStateStore::save(const common::fleet_wire::SatelliteState& state) const {
  if (auto made = common::fs::make_dirs(common::fs::parent_dir(path_)); !made) return made;
  return common::fs::atomic_write_file(path_, common::fleet_wire::to_json(state));
}

}  // namespace satellite::agent
