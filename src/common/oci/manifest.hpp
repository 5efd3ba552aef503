// Parsing and validation of image manifests and indexes (OCI image-spec 1.1 and Docker
// schema 2). parse_manifest() turns untrusted bytes into a typed Manifest holding what a
// registry needs: the blobs and child manifests it references, its subject and artifact
// type. Pure function; no I/O.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/digest.hpp"
#include "common/result.hpp"

namespace common::oci {

struct Descriptor {
  std::string media_type;
  Digest digest;
  std::int64_t size = 0;
  std::string artifact_type;                       // empty when absent
  std::map<std::string, std::string> annotations;  // may be empty
};

struct Manifest {
  std::string media_type;             // the effective media type (body field or Content-Type)
  bool is_index = false;              // image index / manifest list
  std::optional<Descriptor> config;   // images only
  std::vector<Descriptor> layers;     // images only: blobs
  std::vector<Descriptor> manifests;  // indexes only: child manifests
  std::optional<Descriptor> subject;
  std::string artifact_type;  // artifactType, else the config media type (referrers API rule)
  std::map<std::string, std::string> annotations;
};

// Parses `body` sent with `content_type` (may be empty: then the body's mediaType decides).
// kManifestInvalid for malformed JSON, a wrong schemaVersion, a mediaType that disagrees
// with content_type, or a malformed descriptor; kUnsupported for unknown manifest types.
[[nodiscard]] Result<Manifest> parse_manifest(std::string_view body, std::string_view content_type);

}  // namespace common::oci
