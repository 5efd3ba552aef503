#include "groundcontrol/model/harbor_state_file.hpp"

#include <fmt/format.h>

#include "common/fleet_wire/harbor_state_file.hpp"

namespace groundcontrol::model {

common::Result<HarborStateFile> parse_harbor_state_file(std::string_view text) {
  auto wire = common::fleet_wire::parse_harbor_state_file(text);
  if (!wire) return common::fail(wire.error());
  HarborStateFile file{std::move(wire->registry), {}};
  file.entries.reserve(wire->entries.size());
  for (std::size_t i = 0; i < wire->entries.size(); ++i) {
    auto& entry = wire->entries[i];
    HarborStateEntry out{
        Artifact{std::move(entry.repository), std::move(entry.digest), std::move(entry.tags),
                 std::move(entry.type), std::move(entry.labels)},
        entry.deleted};
    if (auto ok = normalize_artifact(out.artifact, fmt::format("artifacts[{}]", i)); !ok)
      return common::fail(ok.error());
    file.entries.push_back(std::move(out));
  }
  return file;
}

}  // namespace groundcontrol::model
