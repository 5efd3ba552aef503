#include "common/fleet_wire/signature_policy.hpp"

#include <algorithm>

namespace common::fleet_wire {

std::string_view signature_mode_name(SignatureMode mode) noexcept {
  switch (mode) {
    case SignatureMode::kOff:
      return "off";
    case SignatureMode::kWarn:
      return "warn";
    case SignatureMode::kEnforce:
      return "enforce";
  }
  return "off";
}

std::optional<SignatureMode> signature_mode_from_name(std::string_view name) noexcept {
  for (auto mode : {SignatureMode::kOff, SignatureMode::kWarn, SignatureMode::kEnforce}) {
    if (signature_mode_name(mode) == name) return mode;
  }
  return std::nullopt;
}

SignaturePolicy effective_signature_policy(const SignaturePolicies& policies,
                                           const std::vector<std::string>& groups) {
  SignaturePolicy out;
  for (const auto& group : groups) {
    const auto it = policies.find(group);
    if (it == policies.end() || it->second.mode < out.mode) continue;
    if (it->second.mode > out.mode) {
      out.mode = it->second.mode;
      out.public_keys.clear();
    }
    out.public_keys.insert(out.public_keys.end(), it->second.public_keys.begin(),
                           it->second.public_keys.end());
  }
  if (out.mode == SignatureMode::kOff) out.public_keys.clear();
  std::sort(out.public_keys.begin(), out.public_keys.end());
  out.public_keys.erase(std::unique(out.public_keys.begin(), out.public_keys.end()),
                        out.public_keys.end());
  return out;
}

}  // namespace common::fleet_wire
