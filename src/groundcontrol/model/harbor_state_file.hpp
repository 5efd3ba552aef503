// The group state file that Harbor's replication sends (../shared/reference/state-file.md):
// the artifacts a replication rule selects, each with `repository`, `tag` (a list, maybe
// empty), `labels` (absent, null or a list), `type`, `digest` and `deleted`. Parsed at the
// edge into validated entries; unknown fields are ignored, since a newer Harbor may add
// some. Pure functions.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "groundcontrol/model/artifact.hpp"

namespace groundcontrol::model {

struct HarborStateEntry {
  Artifact artifact;
  bool deleted = false;  // true: remove (repository, digest) from the group
};

struct HarborStateFile {
  std::string registry;                   // the source registry's name, free text
  std::vector<HarborStateEntry> entries;  // in document order; the same digest may appear
                                          // under several repositories
};

// Parses and validates the whole document: kInvalidArgument naming the first bad entry
// (`artifacts[3].digest: …`), so that a caller applies all of it or nothing.
[[nodiscard]] common::Result<HarborStateFile> parse_harbor_state_file(std::string_view json);

}  // namespace groundcontrol::model
