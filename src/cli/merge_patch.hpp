// MergePatch: the RFC 7386 merge patch that turns one document into another (a member
// removed becomes null, an object is patched member by member, anything else is replaced
// whole), so an edit can be sent as only what the user changed and re-applied onto a newer
// version after a conflict. Pure function; thread-safe.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace cli {

// The patch that makes `before` into `after`; an empty object when they are equal.
[[nodiscard]] nlohmann::json merge_patch_between(const nlohmann::json& before,
                                                 const nlohmann::json& after);

// The dotted paths (`spec.satellites`, `metadata.labels.tier`) where `patch` would replace a
// value that differs between `base` (what the patch was computed against) and `current`
// (what the server holds now), unless `current` holds there what the patch writes already.
// Empty when re-applying `patch` to `current` loses nothing anyone else changed: a merge
// patch replaces arrays and scalars whole, so a concurrent change under such a path would
// be silently overwritten. Sorted.
[[nodiscard]] std::vector<std::string> merge_patch_conflicts(const nlohmann::json& patch,
                                                             const nlohmann::json& base,
                                                             const nlohmann::json& current);

}  // namespace cli
