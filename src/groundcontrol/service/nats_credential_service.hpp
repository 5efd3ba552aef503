// NatsCredentialService: a satellite's NATS credentials (docs/adr/0008), asked for over its
// mTLS channel with the public half of a user nkey it made itself. The answer is a user JWT
// from NatsAuthority allowing only the satellite's own subjects, the servers to connect to
// and the consumer to bind; the satellite's consumer is made (prepare_consumer) before the
// answer, so that the satellite can bind at once and commands stored before it ever
// connected wait there for it. The satellite is then one of those that get a sync command
// at each change of its desired state (StateChangeCommands): the state it has now counts as
// commanded, since it reads that one anyway when it starts; a fleet that turns NATS on gets
// no burst of one sync per satellite.
// Blocking (database, NATS): call from the blocking pool. Thread-safety: any thread.
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.hpp"
#include "common/fleet_wire/nats_credentials.hpp"
#include "common/result.hpp"
#include "common/sql/database.hpp"
#include "groundcontrol/service/fleet_view.hpp"
#include "groundcontrol/service/nats_authority.hpp"
#include "groundcontrol/store/nats_user_store.hpp"

namespace groundcontrol::service {

struct NatsCredentialConfig {
  std::vector<std::string> servers;          // what satellites are told to connect to
  std::chrono::seconds validity{24 * 3600};  // of a user JWT
};

// Makes the satellite's durable consumer (JetStream). kUnavailable while NATS is down.
using PrepareConsumer = std::function<common::Status(std::string_view satellite)>;

class NatsCredentialService {
 public:
  // Borrows `db`, `clock`, `view` and `authority`.
  NatsCredentialService(common::sql::Database& db, const common::Clock& clock,
                        const FleetView& view, const NatsAuthority& authority,
                        PrepareConsumer prepare_consumer, NatsCredentialConfig config)
      : db_(db),
        clock_(clock),
        view_(view),
        authority_(authority),
        prepare_consumer_(std::move(prepare_consumer)),
        config_(std::move(config)) {}

  // kInvalidArgument for a key that is not a user public key; kUnavailable while NATS is
  // down (the satellite asks again later).
  [[nodiscard]] common::Result<common::fleet_wire::NatsCredentials> issue(
      std::string_view satellite, std::string_view public_key);

  // The `.creds` file of a site's leaf node `name` (docs/nats.md): a user key made here (the
  // site operator installs the file, 0600) and its JWT, allowing what the named satellites
  // may, for a year. Their consumers are made first, so they can bind through the leaf at
  // once. kInvalidArgument for a bad name, no satellites or an unknown one; kUnavailable
  // while NATS is down.
  [[nodiscard]] common::Result<std::string> leaf_credentials(
      std::string_view name, const std::vector<std::string>& satellites);

  // The satellites holding a user JWT that has not expired (their consumer must exist).
  [[nodiscard]] common::Result<std::vector<std::string>> holders() const;

 private:
  common::sql::Database& db_;
  const common::Clock& clock_;
  const FleetView& view_;
  const NatsAuthority& authority_;
  PrepareConsumer prepare_consumer_;
  const NatsCredentialConfig config_;
  store::NatsUserStore users_;
};

}  // namespace groundcontrol::service
