#include "groundcontrol/model/kind.hpp"

#include <array>

namespace groundcontrol::model {
namespace {

constexpr std::array kKinds = {
    KindInfo{Kind::kSatellite, "Satellite", "satellites"},
    KindInfo{Kind::kGroup, "Group", "groups"},
    KindInfo{Kind::kSatelliteConfig, "SatelliteConfig", "satelliteconfigs"},
    KindInfo{Kind::kEnrollmentRequest, "EnrollmentRequest", "enrollmentrequests"},
    KindInfo{Kind::kRegistryEndpoint, "RegistryEndpoint", "registryendpoints"},
};

}  // namespace

std::span<const KindInfo> kinds() noexcept {
  return kKinds;
}

const KindInfo& info(Kind kind) noexcept {
  return kKinds[static_cast<std::size_t>(kind)];
}

std::optional<Kind> kind_from_plural(std::string_view plural) noexcept {
  for (const auto& k : kKinds)
    if (k.plural == plural) return k.kind;
  return std::nullopt;
}

std::optional<Kind> kind_from_name(std::string_view name) noexcept {
  for (const auto& k : kKinds)
    if (k.name == name) return k.kind;
  return std::nullopt;
}

}  // namespace groundcontrol::model
