#include "groundcontrol/store/event_store.hpp"

#include "common/sql/json_rows.hpp"

namespace groundcontrol::store {

common::Status EventStore::record(common::sql::Connection& db, const Event& e) const {
  auto done = db.exec(
      "INSERT INTO events (revision, at, actor, verb, kind, name, message) "
      "VALUES (COALESCE(NULLIF($1, 0), (SELECT value FROM revision WHERE id = 1)), $2, $3, $4, "
      "$5, $6, $7)",
      {e.revision, e.at, e.actor, e.verb, e.kind, e.name, e.message});
  if (!done) return common::fail(done.error());
  return {};
}

common::Status EventStore::record_all(common::sql::Connection& db,
                                      std::span<const Event> events) const {
  if (events.empty()) return {};
  common::sql::JsonRows rows(
      {"e_revision", "e_at", "e_actor", "e_verb", "e_kind", "e_name", "e_message"});
  for (const auto& e : events)
    rows.add({std::to_string(e.revision), e.at, e.actor, e.verb, e.kind, e.name, e.message});
  auto done = db.exec(
      "INSERT INTO events (revision, at, actor, verb, kind, name, message) "
      "SELECT COALESCE(NULLIF(CAST(e_revision AS BIGINT), 0), "
      "(SELECT value FROM revision WHERE id = 1)), e_at, e_actor, e_verb, e_kind, e_name, "
      "e_message FROM " +
          rows.table(db.dialect(), 1) + " ORDER BY ord",
      {rows.param()});
  if (!done) return common::fail(done.error());
  return {};
}

common::Result<std::vector<Event>> EventStore::list(common::sql::Connection& db,
                                                    const EventFilter& f) const {
  auto rows = db.query(
      "SELECT revision, at, actor, verb, kind, name, message FROM events "
      "WHERE revision > $1 AND (CAST($2 AS TEXT) = '' OR kind = $2) "
      "AND (CAST($3 AS TEXT) = '' OR name = $3) "
      "ORDER BY revision, at LIMIT $4",
      {f.after_revision, f.kind, f.name, static_cast<std::int64_t>(f.limit)});
  if (!rows) return common::fail(rows.error());
  std::vector<Event> out;
  out.reserve(rows->size());
  for (const auto& row : *rows)
    out.push_back(Event{row.int64(0), row.text(1), row.text(2), row.text(3), row.text(4),
                        row.text(5), row.text(6)});
  return out;
}

}  // namespace groundcontrol::store
