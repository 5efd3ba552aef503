// Principal: who a management request comes from, once authenticated, and with which role
// (admin: everything; viewer: read only). Plain value type.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace groundcontrol::service {

enum class Role { kViewer, kAdmin };

struct Principal {
  std::string actor;  // as the audit trail names it: "user:admin"
  Role role = Role::kViewer;
};

std::string_view role_name(Role role) noexcept;
std::optional<Role> role_from_name(std::string_view name) noexcept;

}  // namespace groundcontrol::service
