#include "groundcontrol/model/artifact.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "common/oci/repository_name.hpp"

namespace groundcontrol::model {
namespace {

void sort_unique(std::vector<std::string>& values) {
  std::sort(values.begin(), values.end());
  values.erase(std::unique(values.begin(), values.end()), values.end());
}

}  // namespace

common::Status normalize_artifact(Artifact& artifact, std::string_view field) {
  using common::ErrorCode;
  if (!common::oci::validate_repository_name(artifact.repository)) {
    return common::fail(ErrorCode::kInvalidArgument,
                        fmt::format("{}.repository: \"{}\" is not a valid repository name", field,
                                    artifact.repository.substr(0, 300)));
  }
  for (const auto& tag : artifact.tags) {
    if (!common::oci::is_valid_tag(tag)) {
      return common::fail(
          ErrorCode::kInvalidArgument,
          fmt::format("{}.tags: \"{}\" is not a valid tag", field, tag.substr(0, 140)));
    }
  }
  if (artifact.type.empty() || artifact.type.size() > 64) {
    return common::fail(ErrorCode::kInvalidArgument,
                        fmt::format("{}.type: must be 1 to 64 characters", field));
  }
  sort_unique(artifact.tags);
  sort_unique(artifact.labels);
  return {};
}

}  // namespace groundcontrol::model
