// ResourceTarget: the resources a command's arguments name, as kubectl takes them: either
// `KIND [NAME…]` or `KIND/NAME…` (each argument its own kind). Pure function; thread-safe.
#pragma once

#include <string>
#include <vector>

#include "cli/resource_kind.hpp"
#include "common/result.hpp"

namespace cli {

struct ResourceTarget {
  const ResourceKind* kind = nullptr;
  std::string name;  // empty: every resource of the kind
};

// The targets of `args`: `KIND` alone gives one target with no name. kInvalidArgument when
// there is no argument, a kind is unknown, or the two forms are mixed.
[[nodiscard]] common::Result<std::vector<ResourceTarget>> parse_targets(
    const std::vector<std::string>& args);

}  // namespace cli
