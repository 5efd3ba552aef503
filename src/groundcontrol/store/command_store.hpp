// CommandStore: the SQL of `satellite_commands`, the ledger of commands sent to satellites
// over NATS (model::SatelliteCommand). It is the outbox of the NATS channel: a command is
// inserted in the transaction that decides it and published afterwards, so none is lost
// while NATS is down. Transitions are guarded in SQL (a final phase is never left, a
// command is marked Sent only from Pending), so concurrent replicas and repeated answers
// cannot move a command backwards. Stateless; calls run in the caller's transaction.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "common/sql/connection.hpp"
#include "groundcontrol/model/satellite_command.hpp"

namespace groundcontrol::store {

class CommandStore {
 public:
  // kAlreadyExists for an id that exists.
  [[nodiscard]] common::Status insert(common::sql::Connection& db,
                                      const model::SatelliteCommand& command) const;
  [[nodiscard]] common::Result<std::optional<model::SatelliteCommand>> get(
      common::sql::Connection& db, std::string_view satellite, std::string_view id) const;
  // The satellite's newest `limit` commands, newest first.
  [[nodiscard]] common::Result<std::vector<model::SatelliteCommand>> list_for(
      common::sql::Connection& db, std::string_view satellite, std::size_t limit) const;
  // Pending commands not expired at `now`, oldest first: what to publish.
  [[nodiscard]] common::Result<std::vector<model::SatelliteCommand>> pending(
      common::sql::Connection& db, std::string_view now, std::size_t limit) const;
  // Pending → Sent with JetStream's sequence. False when it was no longer Pending (another
  // replica sent it, or it was answered or expired meanwhile).
  [[nodiscard]] common::Result<bool> mark_sent(common::sql::Connection& db, std::string_view id,
                                               std::int64_t stream_sequence,
                                               std::string_view at) const;
  // Pending|Sent → `phase` (final) with reason. False when the command is unknown for that
  // satellite or already final: the first answer wins.
  [[nodiscard]] common::Result<bool> finish(common::sql::Connection& db, std::string_view satellite,
                                            std::string_view id, model::CommandPhase phase,
                                            std::string_view reason, std::string_view at) const;
  // Every Pending or Sent command whose expiresAt is at or before `now`, now Expired; the
  // ones that were Sent come back so that their JetStream messages can be deleted.
  [[nodiscard]] common::Result<std::vector<model::SatelliteCommand>> expire_due(
      common::sql::Connection& db, std::string_view now) const;
  // Every Pending or Sent command of `type` for `satellite` but `keep_id` becomes Expired,
  // "superseded by" keep_id (a sync for a state that a newer one replaced can never be
  // reached); the ones that were Sent come back so that their messages can be deleted.
  [[nodiscard]] common::Result<std::vector<model::SatelliteCommand>> supersede(
      common::sql::Connection& db, std::string_view satellite, common::fleet_wire::CommandType type,
      std::string_view keep_id, std::string_view at) const;
  // Final commands answered before `before` are forgotten. Returns how many.
  [[nodiscard]] common::Result<std::int64_t> prune(common::sql::Connection& db,
                                                   std::string_view before) const;
  // A deleted satellite's commands.
  [[nodiscard]] common::Status remove_for(common::sql::Connection& db,
                                          std::string_view satellite) const;
};

}  // namespace groundcontrol::store
