#include "cli/resource_kind.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>

namespace cli {
namespace {

constexpr std::array kKinds{
    ResourceKind{"Satellite", "satellite", "satellites", "sat", true},
    ResourceKind{"Group", "group", "groups", "grp", true},
    ResourceKind{"SatelliteConfig", "satelliteconfig", "satelliteconfigs", "sc", true},
    ResourceKind{"EnrollmentRequest", "enrollmentrequest", "enrollmentrequests", "er", true},
    ResourceKind{"RegistryEndpoint", "registryendpoint", "registryendpoints", "re", false},
    ResourceKind{"User", "user", "users", "usr", false},
};

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

}  // namespace

std::string ResourceKind::collection_path() const {
  return fmt::format("/api/v1/{}", plural);
}

std::string ResourceKind::item_path(std::string_view name) const {
  return fmt::format("/api/v1/{}/{}", plural, name);
}

std::span<const ResourceKind> resource_kinds() {
  return kKinds;
}

common::Result<const ResourceKind*> find_kind(std::string_view typed) {
  const auto wanted = lower(typed);
  for (const auto& kind : kKinds)
    if (wanted == kind.singular || wanted == kind.plural || wanted == kind.alias) return &kind;
  return common::fail(common::ErrorCode::kInvalidArgument,
                      fmt::format("unknown resource type \"{}\" (known: satellites (sat), groups "
                                  "(grp), satelliteconfigs (sc), enrollmentrequests (er), "
                                  "registryendpoints (re), users (usr))",
                                  typed));
}

common::Result<const ResourceKind*> kind_of_document(std::string_view kind) {
  for (const auto& known : kKinds)
    if (known.kind == kind) return &known;
  return common::fail(common::ErrorCode::kInvalidArgument,
                      fmt::format("unknown kind \"{}\"", kind));
}

}  // namespace cli
