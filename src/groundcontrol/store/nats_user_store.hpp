// NatsUserStore: the SQL of `satellite_nats_users`: the satellites that took NATS
// credentials (their user public key and JWT lifetime), and for each the last desired
// state a sync command was issued for, so that ground control sends one sync command per
// state change to exactly the satellites that listen on NATS. Stateless; calls run in the
// caller's transaction.
#pragma once

#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "common/sql/connection.hpp"

namespace groundcontrol::store {

struct NatsUser {
  std::string satellite;
  std::string public_key;
  std::string issued_at;
  std::string expires_at;
  std::string commanded_state_digest;  // "" none yet
};

class NatsUserStore {
 public:
  // Inserts or updates the key and lifetime; the commanded digest stays.
  [[nodiscard]] common::Status upsert(common::sql::Connection& db, const NatsUser& user) const;
  [[nodiscard]] common::Result<std::vector<NatsUser>> list(common::sql::Connection& db) const;
  // The digest the satellite was last commanded to reach.
  struct Commanded {
    std::string satellite;
    std::string state_digest;
  };
  // Sets each satellite's commanded digest where it is another, in one statement; the
  // satellites it changed (the caller issues their sync commands in the same transaction).
  // A guarded write: of two transactions setting one digest, the second waits for the first
  // and then changes nothing, so a change is claimed once.
  [[nodiscard]] common::Result<std::set<std::string, std::less<>>> set_commanded_all(
      common::sql::Connection& db, std::span<const Commanded> commanded) const;
  [[nodiscard]] common::Status remove(common::sql::Connection& db,
                                      std::string_view satellite) const;
};

}  // namespace groundcontrol::store
