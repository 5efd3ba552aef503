#include "groundcontrol/service/principal.hpp"

namespace groundcontrol::service {

std::string_view role_name(Role role) noexcept {
  return role == Role::kAdmin ? "admin" : "viewer";
}

std::optional<Role> role_from_name(std::string_view name) noexcept {
  if (name == "admin") return Role::kAdmin;
  if (name == "viewer") return Role::kViewer;
  return std::nullopt;
}

}  // namespace groundcontrol::service
