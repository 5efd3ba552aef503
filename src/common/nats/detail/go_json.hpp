// JSON text as Go's encoding/json writes it, which nats-io/jwt's signatures and jti are
// computed over: keys in the order given (ordered_json, like Go's struct field order), no
// whitespace, and '<', '>', '&', U+2028 and U+2029 escaped as \u003c, \u003e, \u0026,
// \u2028, \u2029. Also the claim id (jti) nats-io/jwt derives from the standard claims.
// Internal to common::nats. Thread-safety: pure functions.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "common/result.hpp"

namespace common::nats::detail {

// `value` as Go would marshal it; kInvalidArgument when a string is not valid UTF-8.
[[nodiscard]] Result<std::string> go_json(const nlohmann::ordered_json& value);

// base32 (no padding) of SHA-512/256 of go_json(standard_claims): the "jti" of a JWT whose
// standard claims (exp, iat, iss, name, sub…; no jti) are `standard_claims`.
[[nodiscard]] Result<std::string> claims_id(const nlohmann::ordered_json& standard_claims);

}  // namespace common::nats::detail
