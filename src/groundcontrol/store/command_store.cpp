#include "groundcontrol/store/command_store.hpp"

#include "common/sql/json_rows.hpp"

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

common::Status CommandStore::insert_all(Connection& db,
                                        std::span<const SatelliteCommand> commands) const {
  if (commands.empty()) return {};
  common::sql::JsonRows rows({"c_id", "c_satellite", "c_type", "c_state_digest", "c_actor",
                              "c_created_at", "c_expires_at", "c_phase", "c_sent_at", "c_sequence",
                              "c_answered_at", "c_reason"});
  for (const auto& c : commands) {
    rows.add({c.id, c.satellite, common::fleet_wire::command_type_name(c.type), c.state_digest,
              c.actor, c.created_at, c.expires_at, model::command_phase_name(c.phase), c.sent_at,
              std::to_string(c.stream_sequence), c.answered_at, c.reason});
  }
  auto done = db.exec("INSERT INTO satellite_commands (" + std::string(kColumns) +
                          ") SELECT c_id, c_satellite, c_type, c_state_digest, c_actor, "
                          "c_created_at, c_expires_at, c_phase, c_sent_at, "
                          "CAST(c_sequence AS BIGINT), c_answered_at, c_reason FROM " +
                          rows.table(db.dialect(), 1) + " ORDER BY ord",
                      {rows.param()});
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
                                                                    std::string_view created_by,
                                                                    std::size_t limit) const {
  return read_rows(db.query(select_from("WHERE phase = 'Pending' AND expires_at > $1 AND "
                                        "created_at <= $2 ORDER BY created_at, id LIMIT $3"),
                            {now, created_by, static_cast<std::int64_t>(limit)}));
}

common::Result<std::int64_t> CommandStore::mark_sent_all(Connection& db, std::span<const Sent> sent,
                                                         std::string_view at) const {
  if (sent.empty()) return 0;
  common::sql::JsonRows rows({"s_id", "s_sequence"});
  for (const auto& s : sent) rows.add({s.id, std::to_string(s.stream_sequence)});
  return db.exec(
      "UPDATE satellite_commands SET phase = 'Sent', stream_sequence = CAST(s_sequence AS BIGINT), "
      "sent_at = $2 FROM " +
          rows.table(db.dialect(), 1) + " WHERE id = s_id AND phase = 'Pending'",
      {rows.param(), at});
}

common::Result<std::int64_t> CommandStore::finish_all(Connection& db,
                                                      std::span<const Finish> answers,
                                                      std::string_view at) const {
  if (answers.empty()) return 0;
  common::sql::JsonRows rows({"a_satellite", "a_id", "a_phase", "a_reason"});
  for (const auto& a : answers)
    rows.add({a.satellite, a.id, model::command_phase_name(a.phase), a.reason});
  return db.exec(
      "UPDATE satellite_commands SET phase = a_phase, reason = a_reason, "
      "answered_at = $2 FROM " +
          rows.table(db.dialect(), 1) +
          " WHERE satellite = a_satellite AND id = a_id AND "
          "phase IN ('Pending', 'Sent')",
      {rows.param(), at});
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

common::Result<std::vector<SatelliteCommand>> CommandStore::supersede_all(
    Connection& db, std::span<const SatelliteCommand> keep, std::string_view at) const {
  if (keep.empty()) return std::vector<SatelliteCommand>();
  common::sql::JsonRows rows({"k_satellite", "k_type", "k_id"});
  for (const auto& c : keep)
    rows.add({c.satellite, common::fleet_wire::command_type_name(c.type), c.id});
  // RETURNING gives the rows as updated; a command that was Sent is the one with a
  // sent_at (mark_sent sets both together).
  auto updated = read_rows(
      db.query("UPDATE satellite_commands SET phase = 'Expired', answered_at = $2, "
               "reason = 'superseded by command ' || k_id || ' (a newer desired state)' FROM " +
                   rows.table(db.dialect(), 1) +
                   " WHERE satellite = k_satellite AND type = k_type AND id <> k_id "
                   "AND phase IN ('Pending', 'Sent') RETURNING " +
                   std::string(kColumns),
               {rows.param(), at}));
  if (!updated) return fail(updated.error());
  std::vector<SatelliteCommand> sent;
  for (auto& c : *updated) {
    if (c.sent_at.empty()) continue;
    c.phase = CommandPhase::kSent;
    sent.push_back(std::move(c));
  }
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
