// MergePatch: the RFC 7386 merge patch that turns one document into another (a member
// removed becomes null, an object is patched member by member, anything else is replaced
// whole), so an edit can be sent as only what the user changed and re-applied onto a newer
// version after a conflict. Pure function; thread-safe.
#pragma once

#include <nlohmann/json.hpp>

namespace cli {

// The patch that makes `before` into `after`; an empty object when they are equal.
[[nodiscard]] nlohmann::json merge_patch_between(const nlohmann::json& before,
                                                 const nlohmann::json& after);

}  // namespace cli
