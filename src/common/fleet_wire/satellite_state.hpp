// SatelliteState: the desired state of one satellite as ground control serves it
// (`GET /satellite/v1/state`) and as a headless satellite reads it from a file: the
// artifacts to hold, each by repository and digest with the tags to set, the groups they
// come from, the config it follows, the upstream registry to pull from and the groups'
// signature policies (signature_policy.hpp). A wire type,
// shared by ground control and the satellite (the only thing they share); versioned by
// `apiVersion`, and a reader ignores fields it does not know, so an older satellite reads a
// newer ground control's document. Plain value type.
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "common/digest.hpp"
#include "common/fleet_wire/signature_policy.hpp"
#include "common/result.hpp"

namespace common::fleet_wire {

inline constexpr std::string_view kSatelliteApiVersion = "satellite/v1";

struct StateArtifact {
  std::string repository;           // the source repository path, e.g. "library/nginx"
  Digest digest;                    // what to hold; tags only name it
  std::vector<std::string> tags;    // sorted, unique
  std::string type;                 // "IMAGE", "CHART", … as the source says
  std::vector<std::string> groups;  // the groups that ask for it, sorted
};

// A tag that two sources give to different digests of one repository: set on neither.
struct TagConflict {
  std::string repository;
  std::string tag;
  std::vector<Digest> digests;  // sorted
};

// Where ground control publishes the signed state artifacts (docs/state-artifacts.md), so
// that a satellite can take its state from there while ground control is down. An empty
// url: ground control does not publish.
struct StateRegistry {
  std::string url;                        // "https://harbor.example:443"
  std::string project;                    // "satellite": the state repositories' first segment
  std::vector<std::string> trusted_keys;  // PEM public keys whose signatures are accepted
  friend bool operator==(const StateRegistry&, const StateRegistry&) = default;
};

struct SatelliteState {
  std::string satellite;                 // the satellite's name
  std::vector<std::string> groups;       // every group it belongs to, sorted
  std::vector<StateArtifact> artifacts;  // sorted by (repository, digest), unique
  std::vector<TagConflict> conflicts;    // sorted by (repository, tag)
  std::string config_name;
  std::string config_digest;     // "sha256:…" of the config document
  std::string upstream_url;      // the registry to pull from, e.g. "https://harbor:443"
  StateRegistry state_registry;  // in the document only when its url is set
  // By group name (JSON `signaturePolicies`); empty: none, and then absent from the
  // document and from canonical_content, so states without policies keep their digests.
  SignaturePolicies signature_policies;
  std::string state_digest;  // "sha256:…" over everything above: the ETag
};

// `stateRegistry` as the state document writes it (also in enrollment answers), and back.
// kInvalidArgument naming the field for a missing or mistyped one.
[[nodiscard]] nlohmann::json state_registry_json(const StateRegistry& registry);
[[nodiscard]] Result<StateRegistry> read_state_registry(const nlohmann::json& value);

// The canonical JSON of `state` without its state_digest and satellite name (sorted keys,
// compact), the bytes that state_digest is the SHA-256 of. Satellites in the same groups
// with the same config thus share one state and one digest.
[[nodiscard]] std::string canonical_content(const SatelliteState& state);
// Sets state.state_digest from canonical_content().
void seal(SatelliteState& state);
// The JSON document, state_digest included.
[[nodiscard]] std::string to_json(const SatelliteState& state);
// The same, naming `satellite` instead of state.satellite (one rendered state serves every
// satellite with the same groups and config, so the name is given per answer).
[[nodiscard]] std::string to_json(const SatelliteState& state, std::string_view satellite);
// Reads a document; unknown fields are ignored. kInvalidArgument naming the field for a
// missing or mistyped one, an invalid digest, another apiVersion, or in signaturePolicies
// an unknown mode, a key that is not a P-256 public key in PEM, or warn/enforce without keys.
[[nodiscard]] Result<SatelliteState> parse_satellite_state(std::string_view json);
// The policy `artifact` follows under `state` (effective_signature_policy of its groups).
[[nodiscard]] SignaturePolicy signature_policy_of(const SatelliteState& state,
                                                  const StateArtifact& artifact);

}  // namespace common::fleet_wire
