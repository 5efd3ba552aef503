// NATS operator-mode JWTs (nats-io/jwt v2): the operator, account and user claims ground
// control issues, encoded exactly as the Go library encodes them, and the decoder that checks
// one. A JWT is base64url (no padding) of
//   header   {"typ":"JWT","alg":"ed25519-nkey"}
//   claims   {"exp"?,"jti","iat","iss","name"?,"sub","nats":{…,"type":…,"version":2}}
//   signature  Ed25519 by the issuer's nkey over "header.claims"
// with fields in the Go structs' order and Go's JSON escaping. `jti` is base32 (no padding)
// of SHA-512/256 over the JSON of the standard claims alone (everything before "nats",
// without jti), as nats-io/jwt computes it. The values here are plain data; validation (that
// subjects and signers are keys of the right kind) happens in encode_jwt().
// Thread-safety: pure functions.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/nats/nkey.hpp"
#include "common/result.hpp"

namespace common::nats {

using TimePoint = std::chrono::system_clock::time_point;
inline constexpr std::int64_t kNoLimit = -1;

// Subjects a user may (allow) and may not (deny) publish or subscribe to; empty = no list.
struct Permission {
  std::vector<std::string> allow;
  std::vector<std::string> deny;
};
struct Permissions {
  Permission pub;
  Permission sub;
};

// What every claim has besides its subject and `nats` section.
struct ClaimsMeta {
  std::string name;                  // "name", omitted when empty
  std::optional<TimePoint> expires;  // "exp" (whole seconds), omitted when unset
};

struct OperatorClaims {
  std::string subject;  // the operator's public key ("O…"); the operator signs its own JWT
  ClaimsMeta meta;
  std::vector<std::string> signing_keys;  // further operator keys that may sign accounts
  std::string system_account;             // the system account's public key, or empty
};

// JetStream limits of an account. Both storage limits 0 disables JetStream for it.
struct JetStreamLimits {
  std::int64_t mem_storage = kNoLimit;   // bytes across memory streams
  std::int64_t disk_storage = kNoLimit;  // bytes across file streams
  std::int64_t streams = kNoLimit;
  std::int64_t consumer = kNoLimit;
};
struct AccountLimits {
  std::int64_t subs = kNoLimit;
  std::int64_t data = kNoLimit;
  std::int64_t payload = kNoLimit;
  std::int64_t imports = kNoLimit;
  std::int64_t exports = kNoLimit;
  bool wildcards = true;  // wildcard exports allowed
  std::int64_t conn = kNoLimit;
  std::int64_t leaf = kNoLimit;
  JetStreamLimits jetstream;
};

struct AccountClaims {
  std::string subject;  // the account's public key ("A…"); signed by the operator
  ClaimsMeta meta;
  std::vector<std::string> signing_keys;  // account keys that may sign its users (sorted)
  AccountLimits limits;
  Permissions default_permissions;  // of users whose JWT names none
};

struct UserClaims {
  std::string subject;  // the user's public key ("U…"); signed by the account or its signing key
  ClaimsMeta meta;
  Permissions permissions;
  // The account's public key when a signing key of it signs (the server needs it to find the
  // account); empty when the account key itself signs.
  std::string issuer_account;
  std::int64_t subs = kNoLimit;
  std::int64_t data = kNoLimit;
  std::int64_t payload = kNoLimit;
};

// The JWT of `claims` signed by `signer`, issued at `issued_at` (whole seconds).
// kInvalidArgument when the subject, a signing key, the system account or issuer_account
// is not a public key of the kind its field needs, when `signer` may not sign this kind of
// claim (operator: an operator key; account: an operator key; user: an account key), or a
// string is not valid UTF-8.
[[nodiscard]] Result<std::string> encode_jwt(const OperatorClaims& claims, const Nkey& signer,
                                             TimePoint issued_at);
[[nodiscard]] Result<std::string> encode_jwt(const AccountClaims& claims, const Nkey& signer,
                                             TimePoint issued_at);
[[nodiscard]] Result<std::string> encode_jwt(const UserClaims& claims, const Nkey& signer,
                                             TimePoint issued_at);

// A JWT whose signature checked out.
struct VerifiedJwt {
  nlohmann::json claims;  // the whole claims object
  std::string type;       // claims["nats"]["type"]: "operator", "account", "user", …
  std::string issuer;     // the public key that signed it ("iss")
  std::string subject;    // "sub"
  std::optional<TimePoint> expires;

  // True when the JWT has an expiry and `now` is past it.
  bool expired_at(TimePoint now) const noexcept { return expires && now > *expires; }
};

// The claims of `jwt` once its form and signature are checked, as nats-io/jwt's Decode does
// (header type JWT, algorithm ed25519-nkey, version 2 claims, signature by "iss" over
// "header.claims", an issuer of a kind that may sign the claim's type). Expiry is not checked
// (expired_at() says). kInvalidArgument for a malformed token (with what is wrong);
// kUnauthenticated for a signature that does not match its issuer.
[[nodiscard]] Result<VerifiedJwt> decode_and_verify(std::string_view jwt);

}  // namespace common::nats
