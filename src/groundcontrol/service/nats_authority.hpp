// NatsAuthority: ground control as the NATS operator (docs/adr/0008, operator mode). It
// holds four nkeys, made at first start and kept sealed under the master key in the
// database (secrets table; replicas starting together agree on the first one stored): the
// operator, the SATELLITES account, that account's signing key, and the system account.
// From them it writes the operator-mode block of nats-server.conf (operator JWT, system
// account, the MEMORY resolver preloaded with both account JWTs) and signs user JWTs:
// a satellite's, allowing only its own subjects (fleet_wire::nats_subjects), and ground
// control's own, with the account's full rights. A satellite's key is its own (made on the
// device); ground control only ever sees its public half.
// Thread-safety: immutable once loaded; const calls from any thread.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.hpp"
#include "common/crypto/secret_box.hpp"
#include "common/nats/nkey.hpp"
#include "common/result.hpp"
#include "common/sql/database.hpp"

namespace groundcontrol::service {

struct NatsUserGrant {
  std::string jwt;
  std::string expires_at;  // RFC 3339
};

class NatsAuthority {
 public:
  // Loads the keys, making and storing each missing one. Errors: the database's, or
  // kCorruption for a stored key that does not open or decode.
  [[nodiscard]] static common::Result<NatsAuthority> load_or_create(
      common::sql::Database& db, const common::crypto::SecretBox& box, const common::Clock& clock);

  // The operator-mode lines of nats-server.conf (a full config adds listen, jetstream, tls).
  [[nodiscard]] common::Result<std::string> server_config() const;
  // A user JWT for satellite `satellite`, whose public nkey is `user_public_key` ("U…"),
  // valid for `validity`. kInvalidArgument for a key that is not a user public key.
  [[nodiscard]] common::Result<NatsUserGrant> satellite_user(std::string_view satellite,
                                                             std::string_view user_public_key,
                                                             std::chrono::seconds validity) const;
  // A site's leaf node's user JWT for `user`: it may carry exactly what the satellites
  // behind it may (the union of their permissions), named `name`, valid for `validity`.
  [[nodiscard]] common::Result<NatsUserGrant> leaf_user(const common::nats::Nkey& user,
                                                        std::string_view name,
                                                        const std::vector<std::string>& satellites,
                                                        std::chrono::seconds validity) const;
  // Ground control's own user JWT for `user` (a key this process made), full rights.
  [[nodiscard]] common::Result<NatsUserGrant> ground_control_user(
      const common::nats::Nkey& user, std::chrono::seconds validity) const;

  [[nodiscard]] const std::string& account_public_key() const noexcept {
    return account_.public_key();
  }

 private:
  NatsAuthority(common::nats::Nkey operator_key, common::nats::Nkey account,
                common::nats::Nkey signing, common::nats::Nkey system, const common::Clock& clock)
      : operator_(std::move(operator_key)),
        account_(std::move(account)),
        signing_(std::move(signing)),
        system_(std::move(system)),
        clock_(&clock) {}

  common::nats::Nkey operator_;
  common::nats::Nkey account_;
  common::nats::Nkey signing_;
  common::nats::Nkey system_;
  const common::Clock* clock_;
};

}  // namespace groundcontrol::service
