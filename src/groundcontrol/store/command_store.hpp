// CommandStore: the SQL of `satellite_commands`, the ledger of commands sent to satellites
// over NATS (model::SatelliteCommand). It is the outbox of the NATS channel: a command is
// inserted in the transaction that decides it and published afterwards, so none is lost
// while NATS is down. Transitions are guarded in SQL (a final phase is never left, a
// command is marked Sent only from Pending), so concurrent replicas and repeated answers
// cannot move a command backwards. Stateless; calls run in the caller's transaction.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
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
  // insert() for each, in one statement.
  [[nodiscard]] common::Status insert_all(common::sql::Connection& db,
                                          std::span<const model::SatelliteCommand> commands) const;
  [[nodiscard]] common::Result<std::optional<model::SatelliteCommand>> get(
      common::sql::Connection& db, std::string_view satellite, std::string_view id) const;
  // The satellite's newest `limit` commands, newest first.
  [[nodiscard]] common::Result<std::vector<model::SatelliteCommand>> list_for(
      common::sql::Connection& db, std::string_view satellite, std::size_t limit) const;
  // Pending commands not expired at `now` and created at or before `created_by`, oldest
  // first: what to publish.
  [[nodiscard]] common::Result<std::vector<model::SatelliteCommand>> pending(
      common::sql::Connection& db, std::string_view now, std::string_view created_by,
      std::size_t limit) const;
  // A command JetStream has stored, under its stream sequence.
  struct Sent {
    std::string id;
    std::int64_t stream_sequence;
  };
  // Pending → Sent with JetStream's sequence, for each in one statement; how many moved (one
  // that was no longer Pending stays: another replica sent it, or it was answered or
  // expired meanwhile).
  [[nodiscard]] common::Result<std::int64_t> mark_sent_all(common::sql::Connection& db,
                                                           std::span<const Sent> sent,
                                                           std::string_view at) const;
  // A satellite's final word on one of its commands.
  struct Finish {
    std::string satellite;
    std::string id;
    model::CommandPhase phase;  // final
    std::string reason;
  };
  // Pending|Sent → `phase` with reason, for each in one statement; how many moved. A command
  // unknown for that satellite or already final stays: the first answer wins, so a batch
  // must not name one command twice.
  [[nodiscard]] common::Result<std::int64_t> finish_all(common::sql::Connection& db,
                                                        std::span<const Finish> answers,
                                                        std::string_view at) const;
  // Every Pending or Sent command whose expiresAt is at or before `now`, now Expired; the
  // ones that were Sent come back so that their JetStream messages can be deleted.
  [[nodiscard]] common::Result<std::vector<model::SatelliteCommand>> expire_due(
      common::sql::Connection& db, std::string_view now) const;
  // For each command of `keep`: every other Pending or Sent command of its type for its
  // satellite becomes Expired, "superseded by" it (a sync for a state that a newer one
  // replaced can never be reached), all in one statement; the ones that were Sent come
  // back (phase Sent, as they were) so that their messages can be deleted.
  [[nodiscard]] common::Result<std::vector<model::SatelliteCommand>> supersede_all(
      common::sql::Connection& db, std::span<const model::SatelliteCommand> keep,
      std::string_view at) const;
  // Final commands answered before `before` are forgotten. Returns how many.
  [[nodiscard]] common::Result<std::int64_t> prune(common::sql::Connection& db,
                                                   std::string_view before) const;
  // A deleted satellite's commands.
  [[nodiscard]] common::Status remove_for(common::sql::Connection& db,
                                          std::string_view satellite) const;
};

}  // namespace groundcontrol::store
