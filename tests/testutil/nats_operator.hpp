// NatsOperator: the keys and JWTs of a NATS operator-mode setup as ground control makes it
// (docs/adr/0008): an operator, a system account, and a SATELLITES account with a signing
// key and JetStream on, plus the nats-server config that trusts them (memory resolver with
// both accounts preloaded) and user JWTs signed by the signing key. Header-only: a test
// binary using it links common_nats_auth. Thread-safety: const calls from any thread.
#pragma once

#include <chrono>
#include <optional>
#include <stdexcept>
#include <string>

#include "common/nats/nats_jwt.hpp"
#include "common/nats/nkey.hpp"

namespace testutil {

class NatsOperator {
 public:
  // The `extra_config` for NatsServerInstance::start: operator mode with these keys.
  // Throws std::runtime_error when a JWT cannot be encoded.
  std::string server_config(bool debug = true) const {
    using namespace common::nats;
    const auto now = std::chrono::system_clock::now();
    OperatorClaims operator_claims{.subject = operator_.public_key(),
                                   .meta = {.name = "ground-control"},
                                   .system_account = system_.public_key()};
    AccountClaims system_claims{.subject = system_.public_key(), .meta = {.name = "SYS"}};
    system_claims.limits.jetstream = {0, 0, 0, 0};  // the system account has no JetStream
    AccountClaims account_claims{.subject = account_.public_key(),
                                 .meta = {.name = "SATELLITES"},
                                 .signing_keys = {account_signing_.public_key()}};
    const auto operator_jwt = value(encode_jwt(operator_claims, operator_, now));
    const auto system_jwt = value(encode_jwt(system_claims, operator_, now));
    const auto account_jwt = value(encode_jwt(account_claims, operator_, now));
    return std::string(debug ? "debug: true\n" : "") + "operator: " + operator_jwt +
           "\nsystem_account: " + system_.public_key() +
           "\nresolver: MEMORY\nresolver_preload: {\n  " + account_.public_key() + ": " +
           account_jwt + "\n  " + system_.public_key() + ": " + system_jwt + "\n}\n";
  }

  // A user JWT for `user_public_key` in the SATELLITES account, signed by its signing key
  // (or `signer`), issued a minute ago (clock skew) and valid until `expires` (unset: ever).
  common::Result<std::string> user_jwt(const std::string& user_public_key,
                                       common::nats::Permissions permissions,
                                       std::optional<common::nats::TimePoint> expires = {},
                                       const common::nats::Nkey* signer = nullptr) const {
    common::nats::UserClaims claims{.subject = user_public_key,
                                    .meta = {.name = "test-user", .expires = expires},
                                    .permissions = std::move(permissions),
                                    .issuer_account = account_.public_key()};
    return common::nats::encode_jwt(claims, signer ? *signer : account_signing_,
                                    std::chrono::system_clock::now() - std::chrono::minutes(1));
  }

  const common::nats::Nkey& account() const noexcept { return account_; }
  const common::nats::Nkey& account_signing() const noexcept { return account_signing_; }

 private:
  static std::string value(common::Result<std::string> jwt) {
    if (!jwt) throw std::runtime_error("encoding a JWT: " + jwt.error().message());
    return std::move(*jwt);
  }

  common::nats::Nkey operator_ = common::nats::Nkey::generate(common::nats::NkeyType::kOperator);
  common::nats::Nkey system_ = common::nats::Nkey::generate(common::nats::NkeyType::kAccount);
  common::nats::Nkey account_ = common::nats::Nkey::generate(common::nats::NkeyType::kAccount);
  common::nats::Nkey account_signing_ =
      common::nats::Nkey::generate(common::nats::NkeyType::kAccount);
};

}  // namespace testutil
