// The two pieces of the registry token flow (distribution's docs/spec/auth/token.md) that
// come from untrusted bytes: the `WWW-Authenticate: Bearer realm=...,service=...,scope=...`
// challenge of a 401, and the JSON answer of the token endpoint. Pure functions; no I/O.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.hpp"

namespace common::oci {

struct BearerChallenge {
  std::string realm;    // the token endpoint's URL
  std::string service;  // empty when absent
  std::string scope;    // empty when absent
};

struct TokenGrant {
  std::string token;
  // How long the token is good for; the spec's default of 60 s when the answer omits it.
  std::chrono::seconds expires_in{60};
};

// The Bearer challenge in one WWW-Authenticate value (auth-params as RFC 9110 §11: quoted
// or bare values, escapes, any order, any case of the scheme and names); nullopt for
// another scheme (Basic) or a Bearer challenge without a realm.
[[nodiscard]] std::optional<BearerChallenge> parse_bearer_challenge(std::string_view header);

// The token endpoint's JSON answer: `token`, else `access_token`, and `expires_in`.
// kPermissionDenied for malformed JSON or an answer without a token.
[[nodiscard]] common::Result<TokenGrant> parse_token_response(std::string_view body);

}  // namespace common::oci
