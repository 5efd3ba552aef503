// HarborStateFile: the group state file that Harbor's replication sends
// (../shared/reference/state-file.md): the artifacts a replication rule selects, each with
// `repository`, `tag` (a list, maybe empty), `labels` (absent, null or a list), `type`,
// `digest` and `deleted`. Read by ground control (which files it into a group) and by a
// headless satellite (which follows it without ground control), so it is a wire type.
// Unknown fields are ignored, since a newer Harbor may add some. Pure functions.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/digest.hpp"
#include "common/result.hpp"

namespace common::fleet_wire {

struct HarborArtifact {
  std::string repository;  // as sent; the reader's caller validates the name
  Digest digest;
  std::vector<std::string> tags;    // as sent, in order
  std::string type = "IMAGE";       // IMAGE, CHART, SIGNATURE, SBOM, …
  std::vector<std::string> labels;  // label names (Harbor's {"name": …} objects read too)
  bool deleted = false;             // true: remove (repository, digest) from the group
};

struct HarborStateFile {
  std::string registry;                 // the source registry's name, free text
  std::vector<HarborArtifact> entries;  // in document order; the same digest may appear
                                        // under several repositories
};

// Parses the whole document: kInvalidArgument naming the first bad entry
// (`artifacts[3].digest: …`), so that a caller applies all of it or nothing.
[[nodiscard]] Result<HarborStateFile> parse_harbor_state_file(std::string_view json);

}  // namespace common::fleet_wire
