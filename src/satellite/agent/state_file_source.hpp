// StateFileSource: the headless satellite's desired state, read from a file on the site
// instead of ground control (`--state-file`). The file is either the satellite state
// document that ground control's `GET /satellite/v1/state` returns (it names the
// upstream), or Harbor's state file, which names no upstream: then `upstream_url` must be
// given. The file is read again every `poll` (and its change picked up then); a file that
// does not parse is logged and the last good state stays in force. Harbor's entries become
// artifacts: deleted ones dropped, the tags of one (repository, digest) merged, and a tag
// that two digests of one repository claim set on neither (listed as a conflict).
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "common/clock.hpp"
#include "common/fleet_wire/harbor_state_file.hpp"
#include "satellite/agent/state_source.hpp"

namespace satellite::agent {

// The satellite state that Harbor's file asks for, pulled from `upstream_url`, sealed.
// kInvalidArgument naming the entry for an invalid repository name or tag.
[[nodiscard]] common::Result<common::fleet_wire::SatelliteState> state_from_harbor_file(
    const common::fleet_wire::HarborStateFile& file, std::string_view upstream_url);

// Reads either kind of document (see above); kInvalidArgument saying which field is wrong,
// or that a Harbor file needs an upstream.
[[nodiscard]] common::Result<common::fleet_wire::SatelliteState> read_state_document(
    std::string_view text, std::string_view upstream_url);

class StateFileSource final : public StateSource {
 public:
  StateFileSource(std::string path, std::string upstream_url, std::chrono::milliseconds poll);
  [[nodiscard]] common::Result<std::optional<common::fleet_wire::SatelliteState>> next(
      const std::string& known_digest, std::stop_token stop) override;
  [[nodiscard]] std::string describe() const override { return "state file " + path_; }

 private:
  std::string path_;
  std::string upstream_url_;
  std::chrono::milliseconds poll_;
  bool first_ = true;
};

}  // namespace satellite::agent
