// Artifact: one entry of a group's image list: an artifact of a source repository, by
// digest, with the tags it should carry at the satellites. The repository is the source
// path exactly as the registry names it (never with the group put in front: the original
// design's pitfall). Plain value type.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/digest.hpp"
#include "common/result.hpp"

namespace groundcontrol::model {

struct Artifact {
  std::string repository;  // e.g. "library/nginx"
  common::Digest digest;
  std::vector<std::string> tags;    // sorted, unique; may be empty (digest only)
  std::string type = "IMAGE";       // IMAGE, CHART, SIGNATURE, SBOM, … as the source says
  std::vector<std::string> labels;  // the source's labels (Harbor), kept for display

  friend bool operator==(const Artifact&, const Artifact&) = default;
};

// Checks the repository name and every tag, sorts and de-duplicates tags and labels.
// kInvalidArgument naming `field` (e.g. "spec.artifacts[3]") and what is wrong.
[[nodiscard]] common::Status normalize_artifact(Artifact& artifact, std::string_view field);

}  // namespace groundcontrol::model
