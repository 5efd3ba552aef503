// NatsUserStore: the SQL of `satellite_nats_users`: the satellites that took NATS
// credentials (their user public key and JWT lifetime), and for each the last desired
// state a sync command was issued for, so that ground control sends one sync command per
// state change to exactly the satellites that listen on NATS. Stateless; calls run in the
// caller's transaction.
#pragma once

#include <optional>
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
  // Sets the commanded digest unless it is already `digest`; true when it changed (the
  // caller then issues the sync command in the same transaction).
  [[nodiscard]] common::Result<bool> set_commanded(common::sql::Connection& db,
                                                   std::string_view satellite,
                                                   std::string_view digest) const;
  [[nodiscard]] common::Status remove(common::sql::Connection& db,
                                      std::string_view satellite) const;
};

}  // namespace groundcontrol::store
