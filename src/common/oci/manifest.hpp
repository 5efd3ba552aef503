// Parsing and validation of image manifests and indexes (OCI image-spec 1.1 and Docker
// schema 2). parse_manifest() turns untrusted bytes into a typed Manifest holding what a
// registry needs: the blobs and child manifests it references, its subject and artifact
// type. It reads the JSON as a stream of events and keeps only those fields, so memory is
// bounded by what it keeps (not by the document's shape: 8 MiB of nested arrays costs
// nothing), nesting is bounded, and what it keeps can be counted against a MemoryBudget.
// Pure function; no I/O.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/digest.hpp"
#include "common/memory_budget.hpp"
#include "common/result.hpp"

namespace common::oci {

// A descriptor's fields that the registry uses (its annotations and urls are validated
// but not kept).
struct Descriptor {
  std::string media_type;
  Digest digest;
  std::int64_t size = 0;
  std::string artifact_type;  // empty when absent
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

struct ParseLimits {
  // Deepest nesting of arrays and objects accepted (real manifests nest 4 or 5 deep).
  std::size_t max_depth = 64;
  // When set, the bytes the result keeps are added to this reservation as they grow, and
  // the parse fails with kTooManyRequests when the budget is short. When null, the parse
  // fails with kManifestInvalid past `max_kept_bytes`.
  MemoryBudget::Reservation* reservation = nullptr;
  std::size_t max_kept_bytes = 32 * 1024 * 1024;
};

// Parses `body` sent with `content_type` (may be empty: then the body's mediaType decides).
// kManifestInvalid for malformed JSON, a schemaVersion other than the integer 2, a
// mediaType that disagrees with content_type, a duplicate field, nesting past the limit, or
// a malformed descriptor; kUnsupported for unknown manifest types.
[[nodiscard]] Result<Manifest> parse_manifest(std::string_view body, std::string_view content_type,
                                              const ParseLimits& limits = {});

}  // namespace common::oci
