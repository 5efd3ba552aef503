// State artifacts: the three documents in which ground control publishes desired state into
// the central registry (docs/state-artifacts.md), so that satellites keep receiving it while
// ground control is down. The layout is Harbor Satellite's:
//   <project>/group-state/<group>/state       GroupState: the artifacts a group holds
//   <project>/satellite-state/<name>/state    SatelliteStateRef: the satellite's groups and
//                                             config, each by the repository of its state
//   <project>/config-state/<config>/state     ConfigState: the config, without credentials
// A group change is then one push, not one per member. Each document carries a `version`
// that only grows (rollback protection) and is JSON written with sorted keys and no
// whitespace, so one state always has the same bytes (and its manifest the same digest).
// No document holds a credential: Harbor grants pull rights per project, so a satellite may
// be able to read every other satellite's state.
//
// Media types. Each document has its own artifactType (OCI image-spec 1.1), which is also
// its layer's media type: `application/vnd.goharbor.satellite.<kind>.v1+json`. `vnd.goharbor`
// is the vendor tree of the Harbor project whose satellite layout this follows (Harbor's
// own artifacts use it), `satellite.<kind>` names the document as its repository path
// does, `v1` is the document's major version, and `+json` (RFC 6839) lets generic tools
// (oras, Harbor's UI) show the content as JSON.
//
// Parsing ignores unknown fields (a newer ground control may add some) and names the first
// bad one. Value types and pure functions. Thread-safety: as any value type.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/digest.hpp"
#include "common/fleet_wire/satellite_config.hpp"
#include "common/fleet_wire/signature_policy.hpp"
#include "common/result.hpp"

namespace common::fleet_wire {

inline constexpr std::string_view kGroupStateArtifactType =
    "application/vnd.goharbor.satellite.group-state.v1+json";
inline constexpr std::string_view kSatelliteStateArtifactType =
    "application/vnd.goharbor.satellite.satellite-state.v1+json";
inline constexpr std::string_view kConfigStateArtifactType =
    "application/vnd.goharbor.satellite.config-state.v1+json";

// The project (first path segment) state repositories live in by default, as in Harbor
// Satellite.
inline constexpr std::string_view kDefaultStateProject = "satellite";

// "<project>/group-state/<group>/state" and its two siblings.
std::string group_state_repository(std::string_view project, std::string_view group);
std::string satellite_state_repository(std::string_view project, std::string_view satellite);
std::string config_state_repository(std::string_view project, std::string_view config);

// One artifact a group holds.
struct GroupStateArtifact {
  std::string repository;         // "library/nginx"
  Digest digest;                  // what to hold; tags only name it
  std::vector<std::string> tags;  // rendered sorted and unique
  std::string type = "IMAGE";     // IMAGE, CHART, … as the source says
  friend bool operator==(const GroupStateArtifact&, const GroupStateArtifact&) = default;
};

struct GroupState {
  std::string group;
  std::uint64_t version = 0;                  // ≥ 1; only grows
  std::vector<GroupStateArtifact> artifacts;  // rendered sorted by (repository, digest)
  // The group's image signature policy (`signaturePolicy`, only when not off), so that a
  // satellite reading state from the registry checks signatures as ground control says.
  std::optional<SignaturePolicy> signature_policy;
  friend bool operator==(const GroupState&, const GroupState&) = default;
};

// A group a satellite belongs to, with the repository of its GroupState.
struct GroupStateRef {
  std::string name;
  std::string repository;  // "satellite/group-state/<name>/state": path only, no host, no tag
  friend bool operator==(const GroupStateRef&, const GroupStateRef&) = default;
};

struct SatelliteStateRef {
  std::string satellite;
  std::uint64_t version = 0;          // ≥ 1; only grows
  std::vector<GroupStateRef> groups;  // rendered sorted by name
  std::string config_name;            // empty: no config (then the two below are empty)
  std::string config_repository;      // "satellite/config-state/<config>/state"
  std::string config_digest;          // "sha256:…": ground control's digest of the config (as
                                      // SatelliteState::config_digest), which ConfigState repeats
  friend bool operator==(const SatelliteStateRef&, const SatelliteStateRef&) = default;
};

struct ConfigState {
  std::uint64_t version = 0;  // ≥ 1; only grows
  // The config: config.name names it, config.digest is ground control's digest of it.
  // Rendered without upstream_username and upstream_password, whatever they hold.
  SatelliteConfig config;
};

// The documents' bytes. Deterministic: sorted keys, no whitespace, lists sorted as the
// fields above say, so equal states give equal bytes.
[[nodiscard]] std::string to_json(const GroupState& state);
[[nodiscard]] std::string to_json(const SatelliteStateRef& state);
[[nodiscard]] std::string to_json(const ConfigState& state);

// Largest document the parsers read.
inline constexpr std::size_t kMaxStateDocumentBytes = 4 * 1024 * 1024;

// The documents back. kInvalidArgument naming the field for malformed JSON, another kind
// or apiVersion, a missing or mistyped field, a version of 0, an invalid digest or
// repository name, or more than kMaxStateDocumentBytes. parse_config_state() also refuses
// a document carrying upstream credentials: state artifacts must never hold one.
[[nodiscard]] Result<GroupState> parse_group_state(std::string_view json);
[[nodiscard]] Result<SatelliteStateRef> parse_satellite_state_ref(std::string_view json);
[[nodiscard]] Result<ConfigState> parse_config_state(std::string_view json);

}  // namespace common::fleet_wire
