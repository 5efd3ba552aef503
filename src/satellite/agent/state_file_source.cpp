#include "satellite/agent/state_file_source.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "common/fs/file_ops.hpp"
#include "common/oci/repository_name.hpp"
#include "satellite/agent/stoppable_sleep.hpp"

namespace satellite::agent {

using common::fleet_wire::SatelliteState;
using common::fleet_wire::StateArtifact;

common::Result<SatelliteState> state_from_harbor_file(
    const common::fleet_wire::HarborStateFile& file, std::string_view upstream_url) {
  // (repository, digest) -> tags asked for, in file order.
  std::map<std::pair<std::string, common::Digest>, std::set<std::string>> wanted;
  std::map<std::string, std::string> types;
  for (std::size_t i = 0; i < file.entries.size(); ++i) {
    const auto& entry = file.entries[i];
    if (entry.deleted) continue;
    if (!common::oci::validate_repository_name(entry.repository))
      return common::fail(common::ErrorCode::kInvalidArgument,
                          fmt::format("artifacts[{}].repository: \"{}\" is not a valid repository "
                                      "name",
                                      i, entry.repository.substr(0, 300)));
    for (const auto& tag : entry.tags) {
      if (!common::oci::is_valid_tag(tag))
        return common::fail(
            common::ErrorCode::kInvalidArgument,
            fmt::format("artifacts[{}].tag: \"{}\" is not a valid tag", i, tag.substr(0, 140)));
    }
    auto& tags = wanted[{entry.repository, entry.digest}];
    tags.insert(entry.tags.begin(), entry.tags.end());
    types.emplace(entry.repository + "@" + entry.digest.str(), entry.type);
  }
  // A tag claimed by two digests of one repository is set on neither.
  std::map<std::pair<std::string, std::string>, std::vector<common::Digest>> claims;
  for (const auto& [key, tags] : wanted)
    for (const auto& tag : tags) claims[{key.first, tag}].push_back(key.second);
  SatelliteState state;
  for (const auto& [key, digests] : claims) {
    if (digests.size() > 1) state.conflicts.push_back({key.first, key.second, digests});
  }
  for (const auto& [key, tags] : wanted) {
    StateArtifact artifact{
        key.first, key.second, {}, types[key.first + "@" + key.second.str()], {}};
    for (const auto& tag : tags) {
      if (claims[{key.first, tag}].size() == 1) artifact.tags.push_back(tag);
    }
    state.artifacts.push_back(std::move(artifact));
  }
  state.upstream_url = std::string(upstream_url);
  common::fleet_wire::seal(state);
  return state;
}

common::Result<SatelliteState> read_state_document(std::string_view text,
                                                   std::string_view upstream_url) {
  const auto document = nlohmann::json::parse(text, nullptr, false);
  if (document.is_object() && document.contains("apiVersion")) {
    auto state = common::fleet_wire::parse_satellite_state(text);
    if (!state) return common::fail(state.error());
    if (!upstream_url.empty()) state->upstream_url = std::string(upstream_url);
    if (state->upstream_url.empty())
      return common::fail(common::ErrorCode::kInvalidArgument,
                          "the state names no upstream registry: give --upstream");
    common::fleet_wire::seal(*state);
    return state;
  }
  auto file = common::fleet_wire::parse_harbor_state_file(text);
  if (!file) return common::fail(file.error());
  if (upstream_url.empty())
    return common::fail(common::ErrorCode::kInvalidArgument,
                        "a Harbor state file names no upstream registry: give --upstream URL");
  return state_from_harbor_file(*file, upstream_url);
}

StateFileSource::StateFileSource(std::string path, std::string upstream_url,
                                 std::chrono::milliseconds poll)
    : path_(std::move(path)), upstream_url_(std::move(upstream_url)), poll_(poll) {}

common::Result<std::optional<SatelliteState>> StateFileSource::next(const std::string& known_digest,
                                                                    std::stop_token stop) {
  if (!first_ && !sleep_unless_stopped(poll_, stop)) return std::nullopt;
  first_ = false;
  auto text = common::fs::read_file(path_);
  if (!text) return common::fail(text.error());
  auto state = read_state_document(*text, upstream_url_);
  if (!state)
    return common::fail(state.error().code(),
                        fmt::format("{}: {}", path_, state.error().message()));
  if (state->state_digest == known_digest) return std::nullopt;
  return std::optional<SatelliteState>(std::move(*state));
}

}  // namespace satellite::agent
