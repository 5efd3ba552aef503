// The OCI artifact that carries one state document (state_artifact.hpp) in the registry: an
// OCI image manifest (image-spec 1.1 artifact guidance) with
//   artifactType  the document's (kGroupStateArtifactType, …)
//   config        the empty descriptor: application/vnd.oci.empty.v1+json, the blob `{}`
//   layers        one: the document, media type = the artifact type, titled "state.json"
//   annotations   kStateVersionAnnotation: the document's version in decimal
// written with sorted keys and no whitespace and nothing that varies between runs (no
// creation time), so the same state always gives the same manifest digest: republishing an
// unchanged state changes nothing, and a satellite that HEADs `latest` sees no change.
// Pure functions and value types. Thread-safety: as any value type.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/digest.hpp"
#include "common/fleet_wire/state_artifact.hpp"
#include "common/oci/manifest.hpp"
#include "common/result.hpp"

namespace common::fleet_wire {

inline constexpr std::string_view kStateVersionAnnotation = "io.goharbor.satellite.state.version";
inline constexpr std::string_view kStateDocumentTitle = "state.json";
// The OCI empty descriptor's blob and media type.
inline constexpr std::string_view kEmptyJson = "{}";
inline constexpr std::string_view kEmptyJsonMediaType = "application/vnd.oci.empty.v1+json";

// A state artifact ready to push: the blobs (kEmptyJson and `document`), then `manifest`.
struct RenderedState {
  std::string artifact_type;
  std::uint64_t version = 0;
  std::string document;
  Digest document_digest;
  std::string manifest;  // media type oci::media_type::kOciManifest
  Digest manifest_digest;
};

// The artifact of `document` (already rendered, of `artifact_type`, at `version`).
[[nodiscard]] RenderedState render_state(std::string_view artifact_type, std::uint64_t version,
                                         std::string document);
[[nodiscard]] RenderedState render_state(const GroupState& state);
[[nodiscard]] RenderedState render_state(const SatelliteStateRef& state);
[[nodiscard]] RenderedState render_state(const ConfigState& state);

// What a fetched state manifest says.
struct StateManifest {
  std::string artifact_type;
  std::uint64_t version = 0;
  oci::Descriptor document;  // the one layer
};

// Reads `manifest_json` as a state artifact of `artifact_type`. kInvalidArgument, saying
// what is wrong, when it is not an OCI image manifest, has another artifactType, a config
// other than the empty descriptor, not exactly one layer of the artifact type, a layer
// larger than kMaxStateDocumentBytes, or no valid version annotation (an integer ≥ 1).
[[nodiscard]] Result<StateManifest> parse_state_manifest(std::string_view manifest_json,
                                                         std::string_view artifact_type);

}  // namespace common::fleet_wire
