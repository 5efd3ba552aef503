#include "groundcontrol/store/nats_user_store.hpp"

#include "common/sql/json_rows.hpp"

namespace groundcontrol::store {

using common::fail;
using common::sql::Connection;

common::Status NatsUserStore::upsert(Connection& db, const NatsUser& u) const {
  auto done = db.exec(
      "INSERT INTO satellite_nats_users (satellite, public_key, issued_at, expires_at, "
      "commanded_state_digest) VALUES ($1, $2, $3, $4, $5) "
      "ON CONFLICT (satellite) DO UPDATE SET public_key = excluded.public_key, "
      "issued_at = excluded.issued_at, expires_at = excluded.expires_at",
      {u.satellite, u.public_key, u.issued_at, u.expires_at, u.commanded_state_digest});
  if (!done) return fail(done.error());
  return {};
}

common::Result<std::vector<NatsUser>> NatsUserStore::list(Connection& db) const {
  auto rows = db.query(
      "SELECT satellite, public_key, issued_at, expires_at, commanded_state_digest "
      "FROM satellite_nats_users ORDER BY satellite");
  if (!rows) return fail(rows.error());
  std::vector<NatsUser> out;
  out.reserve(rows->size());
  for (const auto& r : *rows)
    out.push_back({r.text(0), r.text(1), r.text(2), r.text(3), r.text(4)});
  return out;
}

common::Result<std::set<std::string, std::less<>>> NatsUserStore::set_commanded_all(
    Connection& db, std::span<const Commanded> commanded) const {
  std::set<std::string, std::less<>> changed;
  if (commanded.empty()) return changed;
  common::sql::JsonRows rows({"u_satellite", "u_digest"});
  for (const auto& c : commanded) rows.add({c.satellite, c.state_digest});
  auto updated =
      db.query("UPDATE satellite_nats_users SET commanded_state_digest = u_digest FROM " +
                   rows.table(db.dialect(), 1) +
                   " WHERE satellite = u_satellite AND commanded_state_digest <> u_digest "
                   "RETURNING satellite",
               {rows.param()});
  if (!updated) return fail(updated.error());
  for (const auto& row : *updated) changed.insert(row.text(0));
  return changed;
}

common::Status NatsUserStore::remove(Connection& db, std::string_view satellite) const {
  auto done = db.exec("DELETE FROM satellite_nats_users WHERE satellite = $1", {satellite});
  if (!done) return fail(done.error());
  return {};
}

}  // namespace groundcontrol::store
