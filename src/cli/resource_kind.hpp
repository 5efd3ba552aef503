// ResourceKind: the management API's resource kinds as gcctl names them: the kind
// ("Group"), the names a user may type (singular, plural, short alias, case-insensitive)
// and the collection path (/api/v1/groups). A fixed table; pure functions, thread-safe.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "common/result.hpp"

namespace cli {

struct ResourceKind {
  std::string_view kind;      // "SatelliteConfig", as documents name it
  std::string_view singular;  // "satelliteconfig", as output names it (satelliteconfig/x)
  std::string_view plural;    // "satelliteconfigs", the path segment
  std::string_view alias;     // "sc"
  bool watchable;             // ?watch=true works on its list

  // "/api/v1/satelliteconfigs", or ".../NAME" for one.
  [[nodiscard]] std::string collection_path() const;
  [[nodiscard]] std::string item_path(std::string_view name) const;
};

// Every kind, in the order `gcctl get --help` lists them.
[[nodiscard]] std::span<const ResourceKind> resource_kinds();

// The kind a user typed (singular, plural or alias; any case). kInvalidArgument listing
// the known ones otherwise.
[[nodiscard]] common::Result<const ResourceKind*> find_kind(std::string_view typed);

// The kind a document's `kind` names ("Group"). kInvalidArgument otherwise.
[[nodiscard]] common::Result<const ResourceKind*> kind_of_document(std::string_view kind);

}  // namespace cli
