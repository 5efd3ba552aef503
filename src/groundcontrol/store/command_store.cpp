#include "groundcontrol/store/command_store.hpp"

namespace groundcontrol::store {

using common::fail;
using common::sql::Connection;
using common::sql::Row;
using model::CommandPhase;
using model::SatelliteCommand;

namespace {

constexpr std::string_view kColumns =
    "id, satellite, type, state_digest, actor, created_at, expires_at, phase, sent_at, "
    "stream_sequence, answered_at, reason";

std::string select_from(std::string_view tail) {
  return "SELECT " + std::string(kColumns) + " FROM satellite_commands " + std::string(tail);
}

common::Result<SatelliteCommand> read_row(const Row& r) {
  SatelliteCommand c;
  c.id = r.text(0);
  c.satellite = r.text(1);
  const auto type = common::fleet_wire::parse_command_type(r.text(2));
  if (!type)
    return fail(common::ErrorCode::kCorruption,
                "satellite_commands: " + c.id + ": unknown type \"" + r.text(2) + "\"");
  c.type = *type;
  c.state_digest = r.text(3);
  c.actor = r.text(4);
  c.created_at = r.text(5);
  c.expires_at = r.text(6);
  auto phase = model::parse_command_phase(r.text(7));
  if (!phase) return fail(phase.error());
  c.phase = *phase;
  c.sent_at = r.text(8);
  c.stream_sequence = r.int64(9);
  c.answered_at = r.text(10);
  c.reason = r.text(11);
  return c;
}

common::Result<std::vector<SatelliteCommand>> read_rows(
    const common::Result<std::vector<Row>>& rows) {
  if (!rows) return fail(rows.error());
  std::vector<SatelliteCommand> out;
  out.reserve(rows->size());
  for (const auto& r : *rows) {
    auto command = read_row(r);
    if (!command) return fail(command.error());
    out.push_back(std::move(*command));
  }
  return out;
}

}  // namespace

common::Status CommandStore::insert(Connection& db, const SatelliteCommand& c) const {
  auto done =
      db.exec("INSERT INTO satellite_commands (" + std::string(kColumns) +
                  ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
              {c.id, c.satellite, common::fleet_wire::command_type_name(c.type), c.state_digest,
               c.actor, c.created_at, c.expires_at, model::command_phase_name(c.phase), c.sent_at,
               c.stream_sequence, c.answered_at, c.reason});
  if (!done) return fail(done.error());
  return {};
}

common::Result<std::optional<SatelliteCommand>> CommandStore::get(Connection& db,
                                                                  std::string_view satellite,
                                                                  std::string_view id) const {
  auto row = db.query_one(select_from("WHERE satellite = $1 AND id = $2"), {satellite, id});
  if (!row) return fail(row.error());
  if (!*row) return std::optional<SatelliteCommand>();
  auto command = read_row(**row);
  if (!command) return fail(command.error());
  return std::optional<SatelliteCommand>(std::move(*command));
}

common::Result<std::vector<SatelliteCommand>> CommandStore::list_for(Connection& db,
                                                                     std::string_view satellite,
                                                                     std::size_t limit) const {
  return read_rows(
      db.query(select_from("WHERE satellite = $1 ORDER BY created_at DESC, id DESC LIMIT $2"),
               {satellite, static_cast<std::int64_t>(limit)}));
}

common::Result<std::vector<SatelliteCommand>> CommandStore::pending(Connection& db,
                                                                    std::string_view now,
                                                                    std::size_t limit) const {
  return read_rows(db.query(
      select_from("WHERE phase = 'Pending' AND expires_at > $1 ORDER BY created_at, id LIMIT $2"),
      {now, static_cast<std::int64_t>(limit)}));
}

common::Result<bool> CommandStore::mark_sent(Connection& db, std::string_view id,
                                             std::int64_t stream_sequence,
                                             std::string_view at) const {
  auto updated = db.exec(
      "UPDATE satellite_commands SET phase = 'Sent', stream_sequence = $2, sent_at = $3 "
      "WHERE id = $1 AND phase = 'Pending'",
      {id, stream_sequence, at});
  if (!updated) return fail(updated.error());
  return *updated == 1;
}

common::Result<bool> CommandStore::finish(Connection& db, std::string_view satellite,
                                          std::string_view id, CommandPhase phase,
                                          std::string_view reason, std::string_view at) const {
  auto updated = db.exec(
      "UPDATE satellite_commands SET phase = $3, reason = $4, answered_at = $5 "
      "WHERE satellite = $1 AND id = $2 AND phase IN ('Pending', 'Sent')",
      {satellite, id, model::command_phase_name(phase), reason, at});
  if (!updated) return fail(updated.error());
  return *updated == 1;
}

common::Result<std::vector<SatelliteCommand>> CommandStore::expire_due(Connection& db,
                                                                       std::string_view now) const {
  auto due = read_rows(
      db.query(select_from("WHERE phase IN ('Pending', 'Sent') AND expires_at <= $1"), {now}));
  if (!due) return fail(due.error());
  auto updated = db.exec(
      "UPDATE satellite_commands SET phase = 'Expired', answered_at = $1, "
      "reason = 'no answer before it expired' "
      "WHERE phase IN ('Pending', 'Sent') AND expires_at <= $1",
      {now});
  if (!updated) return fail(updated.error());
  std::vector<SatelliteCommand> sent;
  for (auto& c : *due)
    if (c.phase == CommandPhase::kSent) sent.push_back(std::move(c));
  return sent;
}

common::Result<std::vector<SatelliteCommand>> CommandStore::supersede(
    Connection& db, std::string_view satellite, common::fleet_wire::CommandType type,
    std::string_view keep_id, std::string_view at) const {
  const auto type_name = common::fleet_wire::command_type_name(type);
  auto open = read_rows(db.query(
      select_from(
          "WHERE satellite = $1 AND type = $2 AND id <> $3 AND phase IN ('Pending', 'Sent')"),
      {satellite, type_name, keep_id}));
  if (!open) return fail(open.error());
  auto updated = db.exec(
      "UPDATE satellite_commands SET phase = 'Expired', answered_at = $4, reason = $5 "
      "WHERE satellite = $1 AND type = $2 AND id <> $3 AND phase IN ('Pending', 'Sent')",
      {satellite, type_name, keep_id, at,
       "superseded by command " + std::string(keep_id) + " (a newer desired state)"});
  if (!updated) return fail(updated.error());
  std::vector<SatelliteCommand> sent;
  for (auto& c : *open)
    if (c.phase == CommandPhase::kSent) sent.push_back(std::move(c));
  return sent;
}

common::Result<std::int64_t> CommandStore::prune(Connection& db, std::string_view before) const {
  return db.exec(
      "DELETE FROM satellite_commands WHERE phase IN ('Done', 'Failed', 'Expired') "
      "AND answered_at < $1",
      {before});
}

common::Status CommandStore::remove_for(Connection& db, std::string_view satellite) const {
  auto done = db.exec("DELETE FROM satellite_commands WHERE satellite = $1", {satellite});
  if (!done) return fail(done.error());
  return {};
}

}  // namespace groundcontrol::store
