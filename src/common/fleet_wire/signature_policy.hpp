// SignaturePolicy: what a group asks of the cosign signatures of its images (issue 13):
// `off` (no check), `warn` (checked; an image without a valid signature is served and
// reported) or `enforce` (such an image is not served), and the public keys whose
// signatures count. Part of SatelliteState (`signaturePolicies`, keyed by group name).
// An artifact asked for by several groups follows the strictest of their policies
// (effective_signature_policy). Plain value types and pure functions.
#pragma once

#include <map>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"

namespace common::fleet_wire {

// Ordered by strictness: a larger value is stricter.
enum class SignatureMode { kOff = 0, kWarn = 1, kEnforce = 2 };

[[nodiscard]] std::string_view signature_mode_name(SignatureMode mode) noexcept;  // "off", …
[[nodiscard]] std::optional<SignatureMode> signature_mode_from_name(std::string_view name) noexcept;

struct SignaturePolicy {
  SignatureMode mode = SignatureMode::kOff;
  std::vector<std::string> public_keys;  // PEM `PUBLIC KEY` (ECDSA P-256), cosign's format

  friend bool operator==(const SignaturePolicy&, const SignaturePolicy&) = default;
};

// Reads {"mode": "off|warn|enforce", "publicKeys": [PEM...]} at `path` (for messages).
// kInvalidArgument naming the field: an unknown mode, a key that is not a P-256 public
// key, more than 64 keys, no key for warn or enforce.
[[nodiscard]] Result<SignaturePolicy> read_signature_policy(const nlohmann::json& value,
                                                            std::string_view path);
[[nodiscard]] nlohmann::json signature_policy_json(const SignaturePolicy& policy);

// Group name -> its policy; a group without an entry has none (off).
using SignaturePolicies = std::map<std::string, SignaturePolicy, std::less<>>;

// The policy an artifact of `groups` follows: the strictest mode among the groups'
// policies, with the union (sorted, unique) of the keys of the groups at that mode. Off with
// no keys when no group has a policy other than off.
[[nodiscard]] SignaturePolicy effective_signature_policy(const SignaturePolicies& policies,
                                                         const std::vector<std::string>& groups);

}  // namespace common::fleet_wire
