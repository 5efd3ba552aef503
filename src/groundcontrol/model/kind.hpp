// Kind: the resource kinds of the management API, with the names the wire uses (`kind`,
// the plural in the path). Pure, immutable table.
#pragma once

#include <optional>
#include <span>
#include <string_view>

namespace groundcontrol::model {

inline constexpr std::string_view kApiVersion = "groundcontrol/v1";

enum class Kind { kSatellite, kGroup, kSatelliteConfig, kEnrollmentRequest, kRegistryEndpoint };

struct KindInfo {
  Kind kind;
  std::string_view name;    // "Satellite"
  std::string_view plural;  // "satellites", as in /api/v1/satellites
};

std::span<const KindInfo> kinds() noexcept;
const KindInfo& info(Kind kind) noexcept;
std::optional<Kind> kind_from_plural(std::string_view plural) noexcept;
std::optional<Kind> kind_from_name(std::string_view name) noexcept;

}  // namespace groundcontrol::model
