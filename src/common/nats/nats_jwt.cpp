#include "common/nats/nats_jwt.hpp"

#include <algorithm>

#include "common/crypto/base64.hpp"
#include "common/nats/detail/go_json.hpp"

namespace common::nats {
namespace {

using Ordered = nlohmann::ordered_json;

// What nats-io/jwt's Header{"JWT", "ed25519-nkey"} marshals to.
constexpr std::string_view kHeader = R"({"typ":"JWT","alg":"ed25519-nkey"})";
constexpr int kLibVersion = 2;
constexpr std::size_t kMaxTokenSize = 1024 * 1024;  // nats-io/jwt's MaxTokenSize

std::int64_t unix_seconds(TimePoint t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

Status require_key(std::string_view key, NkeyType type, std::string_view field) {
  const auto actual = public_key_type(key);
  if (actual && *actual == type) return {};
  return fail(ErrorCode::kInvalidArgument,
              std::string(field) + " is not an " + std::string(to_string(type)) + " public key");
}

Status require_keys(const std::vector<std::string>& keys, NkeyType type, std::string_view field) {
  for (const auto& key : keys) {
    if (auto ok = require_key(key, type, field); !ok) return ok;
  }
  return {};
}

Status require_signer(const Nkey& signer, NkeyType type, std::string_view claim) {
  if (signer.type() == type) return {};
  return fail(ErrorCode::kInvalidArgument, std::string(claim) + " JWTs are signed by an " +
                                               std::string(to_string(type)) + " key");
}

// Go's omitempty: a zero number is left out.
void put_nonzero(Ordered& object, const char* key, std::int64_t value) {
  if (value != 0) object[key] = value;
}

// Permission{Allow, Deny}: both lists omitempty; the struct itself is always written.
Ordered permission_json(const Permission& permission) {
  Ordered object = Ordered::object();
  if (!permission.allow.empty()) object["allow"] = permission.allow;
  if (!permission.deny.empty()) object["deny"] = permission.deny;
  return object;
}

Ordered permissions_json(const Permissions& permissions) {
  Ordered object = Ordered::object();
  object["pub"] = permission_json(permissions.pub);
  object["sub"] = permission_json(permissions.sub);
  return object;
}

// OperatorLimits: NatsLimits, AccountLimits, JetStreamLimits flattened, in that order.
Ordered limits_json(const AccountLimits& limits) {
  Ordered object = Ordered::object();
  put_nonzero(object, "subs", limits.subs);
  put_nonzero(object, "data", limits.data);
  put_nonzero(object, "payload", limits.payload);
  put_nonzero(object, "imports", limits.imports);
  put_nonzero(object, "exports", limits.exports);
  if (limits.wildcards) object["wildcards"] = true;
  put_nonzero(object, "conn", limits.conn);
  put_nonzero(object, "leaf", limits.leaf);
  put_nonzero(object, "mem_storage", limits.jetstream.mem_storage);
  put_nonzero(object, "disk_storage", limits.jetstream.disk_storage);
  put_nonzero(object, "streams", limits.jetstream.streams);
  put_nonzero(object, "consumer", limits.jetstream.consumer);
  return object;
}

void put_generic_fields(Ordered& nats, std::string_view type) {
  nats["type"] = type;
  nats["version"] = kLibVersion;
}

// Header, claims and signature: nats-io/jwt's ClaimsData.doEncode. The standard claims are
// written in ClaimsData's field order (aud, exp, jti, iat, iss, name, nbf, sub); jti is the
// hash of them without jti.
Result<std::string> sign_claims(const std::string& subject, const ClaimsMeta& meta, Ordered nats,
                                const Nkey& signer, TimePoint issued_at) {
  Ordered standard = Ordered::object();
  if (meta.expires) standard["exp"] = unix_seconds(*meta.expires);
  standard["iat"] = unix_seconds(issued_at);
  standard["iss"] = signer.public_key();
  if (!meta.name.empty()) standard["name"] = meta.name;
  standard["sub"] = subject;
  auto id = detail::claims_id(standard);
  if (!id) return fail(id.error());

  Ordered claims = Ordered::object();
  for (auto it = standard.begin(); it != standard.end(); ++it) {
    if (it.key() == "iat") claims["jti"] = *id;
    claims[it.key()] = it.value();
  }
  claims["nats"] = std::move(nats);
  auto payload = detail::go_json(claims);
  if (!payload) return fail(payload.error());

  std::string token = crypto::base64url_encode(kHeader) + "." + crypto::base64url_encode(*payload);
  const std::string signature = signer.sign(token);
  token.append(".").append(crypto::base64url_encode(signature));
  return token;
}

}  // namespace

Result<std::string> encode_jwt(const OperatorClaims& claims, const Nkey& signer,
                               TimePoint issued_at) {
  if (auto ok = require_key(claims.subject, NkeyType::kOperator, "subject"); !ok)
    return fail(ok.error());
  if (auto ok = require_signer(signer, NkeyType::kOperator, "operator"); !ok)
    return fail(ok.error());
  if (auto ok = require_keys(claims.signing_keys, NkeyType::kOperator, "signing key"); !ok) {
    return fail(ok.error());
  }
  if (!claims.system_account.empty()) {
    if (auto ok = require_key(claims.system_account, NkeyType::kAccount, "system_account"); !ok) {
      return fail(ok.error());
    }
  }
  // Operator{SigningKeys, AccountServerURL, OperatorServiceURLs, SystemAccount, …}.
  Ordered nats = Ordered::object();
  if (!claims.signing_keys.empty()) nats["signing_keys"] = claims.signing_keys;
  if (!claims.system_account.empty()) nats["system_account"] = claims.system_account;
  put_generic_fields(nats, "operator");
  return sign_claims(claims.subject, claims.meta, std::move(nats), signer, issued_at);
}

Result<std::string> encode_jwt(const AccountClaims& claims, const Nkey& signer,
                               TimePoint issued_at) {
  if (auto ok = require_key(claims.subject, NkeyType::kAccount, "subject"); !ok)
    return fail(ok.error());
  if (auto ok = require_signer(signer, NkeyType::kOperator, "account"); !ok)
    return fail(ok.error());
  if (auto ok = require_keys(claims.signing_keys, NkeyType::kAccount, "signing key"); !ok) {
    return fail(ok.error());
  }
  // Account{Imports, Exports, Limits, SigningKeys, Revocations, DefaultPermissions, Mappings,
  // Authorization, …}: the struct-typed fields are written even when empty (Go's omitempty
  // does not apply to structs); unscoped signing keys are a sorted array.
  Ordered nats = Ordered::object();
  nats["limits"] = limits_json(claims.limits);
  if (!claims.signing_keys.empty()) {
    std::vector<std::string> keys = claims.signing_keys;
    std::sort(keys.begin(), keys.end());
    nats["signing_keys"] = keys;
  }
  nats["default_permissions"] = permissions_json(claims.default_permissions);
  nats["authorization"] = Ordered::object();
  put_generic_fields(nats, "account");
  return sign_claims(claims.subject, claims.meta, std::move(nats), signer, issued_at);
}

Result<std::string> encode_jwt(const UserClaims& claims, const Nkey& signer, TimePoint issued_at) {
  if (auto ok = require_key(claims.subject, NkeyType::kUser, "subject"); !ok)
    return fail(ok.error());
  if (auto ok = require_signer(signer, NkeyType::kAccount, "user"); !ok) return fail(ok.error());
  if (!claims.issuer_account.empty()) {
    if (auto ok = require_key(claims.issuer_account, NkeyType::kAccount, "issuer_account"); !ok) {
      return fail(ok.error());
    }
  }
  // User{Permissions{Pub, Sub}, Limits{UserLimits, NatsLimits}, …, IssuerAccount, …}.
  Ordered nats = permissions_json(claims.permissions);
  put_nonzero(nats, "subs", claims.subs);
  put_nonzero(nats, "data", claims.data);
  put_nonzero(nats, "payload", claims.payload);
  if (!claims.issuer_account.empty()) nats["issuer_account"] = claims.issuer_account;
  put_generic_fields(nats, "user");
  return sign_claims(claims.subject, claims.meta, std::move(nats), signer, issued_at);
}

namespace {

Result<nlohmann::json> decode_json_part(std::string_view part, std::string_view what) {
  auto bytes = crypto::base64url_decode(part);
  if (!bytes) {
    return fail(ErrorCode::kInvalidArgument, "JWT " + std::string(what) + " is not base64url");
  }
  auto value = nlohmann::json::parse(*bytes, nullptr, /*allow_exceptions=*/false);
  if (!value.is_object()) {
    return fail(ErrorCode::kInvalidArgument, "JWT " + std::string(what) + " is not a JSON object");
  }
  return value;
}

std::string string_field(const nlohmann::json& object, const char* key) {
  const auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

Status check_header(const nlohmann::json& header) {
  std::string type = string_field(header, "typ");
  std::string algorithm = string_field(header, "alg");
  std::transform(type.begin(), type.end(), type.begin(), ::toupper);
  std::transform(algorithm.begin(), algorithm.end(), algorithm.begin(), ::tolower);
  if (type != "JWT") return fail(ErrorCode::kInvalidArgument, "JWT header type is not JWT");
  if (algorithm != "ed25519-nkey") {
    return fail(ErrorCode::kInvalidArgument,
                "JWT algorithm '" + algorithm + "' is not supported (only ed25519-nkey, v2)");
  }
  return {};
}

// nats-io/jwt's ExpectedPrefixes: which kinds of key may issue a claim of `type`.
bool may_issue(std::string_view type, NkeyType issuer) {
  if (type == "operator") return issuer == NkeyType::kOperator;
  if (type == "account" || type == "activation") {
    return issuer == NkeyType::kAccount || issuer == NkeyType::kOperator;
  }
  if (type == "user") return issuer == NkeyType::kAccount;
  return true;  // generic claims
}

}  // namespace

Result<VerifiedJwt> decode_and_verify(std::string_view jwt) {
  if (jwt.size() > kMaxTokenSize) return fail(ErrorCode::kInvalidArgument, "JWT is too large");
  const std::size_t first = jwt.find('.');
  const std::size_t second = first == std::string_view::npos ? first : jwt.find('.', first + 1);
  if (second == std::string_view::npos || jwt.find('.', second + 1) != std::string_view::npos) {
    return fail(ErrorCode::kInvalidArgument, "JWT does not have 3 parts");
  }
  auto header = decode_json_part(jwt.substr(0, first), "header");
  if (!header) return fail(header.error());
  if (auto ok = check_header(*header); !ok) return fail(ok.error());
  auto claims = decode_json_part(jwt.substr(first + 1, second - first - 1), "claims");
  if (!claims) return fail(claims.error());
  auto signature = crypto::base64url_decode(jwt.substr(second + 1));
  if (!signature) return fail(ErrorCode::kInvalidArgument, "JWT signature is not base64url");

  VerifiedJwt verified;
  const auto nats = claims->find("nats");
  const bool v2 = nats != claims->end() && nats->is_object() && nats->contains("version") &&
                  (*nats)["version"].is_number_integer() && (*nats)["version"] == kLibVersion;
  if (!v2) {
    return fail(ErrorCode::kInvalidArgument, "JWT claims are not nats-io/jwt version 2");
  }
  verified.type = string_field(*nats, "type");
  verified.issuer = string_field(*claims, "iss");
  verified.subject = string_field(*claims, "sub");
  const auto issuer_type = public_key_type(verified.issuer);
  if (!issuer_type) {
    return fail(ErrorCode::kInvalidArgument, "JWT issuer: " + issuer_type.error().message());
  }
  if (auto ok = Nkey::verify(verified.issuer, jwt.substr(0, second), *signature); !ok) {
    return fail(ErrorCode::kUnauthenticated, "JWT signature does not match its issuer");
  }
  if (!may_issue(verified.type, *issuer_type)) {
    return fail(ErrorCode::kInvalidArgument, "an " + std::string(to_string(*issuer_type)) +
                                                 " key may not issue a " + verified.type + " JWT");
  }
  if (const auto exp = claims->find("exp");
      exp != claims->end() && exp->is_number_integer() && exp->get<std::int64_t>() > 0) {
    verified.expires = TimePoint(std::chrono::seconds(exp->get<std::int64_t>()));
  }
  verified.claims = std::move(*claims);
  return verified;
}

}  // namespace common::nats
