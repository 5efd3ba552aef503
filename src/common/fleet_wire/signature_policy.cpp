#include "common/fleet_wire/signature_policy.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "common/crypto/cosign_key.hpp"
#include "common/fleet_wire/field_reader.hpp"

namespace common::fleet_wire {
namespace {

// Most keys one group's policy may list (a rotation needs two or three).
constexpr std::size_t kMaxPolicyKeys = 64;

}  // namespace

Result<SignaturePolicy> read_signature_policy(const nlohmann::json& value, std::string_view path) {
  if (!value.is_object())
    return fail(ErrorCode::kInvalidArgument, fmt::format("{}: expected an object", path));
  const FieldReader in(value, std::string(path));
  auto mode_name = in.text("mode");
  if (!mode_name) return fail(mode_name.error());
  const auto mode = signature_mode_from_name(*mode_name);
  if (!mode) {
    return fail(ErrorCode::kInvalidArgument, fmt::format("{}: \"{}\" is not off, warn or enforce",
                                                         in.field("mode"), *mode_name));
  }
  auto keys = in.texts("publicKeys");
  if (!keys) return fail(keys.error());
  if (keys->size() > kMaxPolicyKeys) {
    return fail(ErrorCode::kInvalidArgument,
                fmt::format("{}: more than {} keys", in.field("publicKeys"), kMaxPolicyKeys));
  }
  for (std::size_t i = 0; i < keys->size(); ++i) {
    if (auto key = crypto::CosignPublicKey::from_pem((*keys)[i]); !key) {
      return fail(ErrorCode::kInvalidArgument,
                  fmt::format("{}[{}]: not a P-256 public key in PEM: {}", in.field("publicKeys"),
                              i, key.error().message()));
    }
  }
  if (*mode != SignatureMode::kOff && keys->empty()) {
    return fail(ErrorCode::kInvalidArgument,
                fmt::format("{}: required when mode is {}", in.field("publicKeys"), *mode_name));
  }
  return SignaturePolicy{*mode, std::move(*keys)};
}

nlohmann::json signature_policy_json(const SignaturePolicy& policy) {
  return {{"mode", signature_mode_name(policy.mode)}, {"publicKeys", policy.public_keys}};
}

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
