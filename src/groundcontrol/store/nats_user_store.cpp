#include "groundcontrol/store/nats_user_store.hpp"

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

common::Result<bool> NatsUserStore::set_commanded(Connection& db, std::string_view satellite,
                                                  std::string_view digest) const {
  auto updated = db.exec(
      "UPDATE satellite_nats_users SET commanded_state_digest = $2 "
      "WHERE satellite = $1 AND commanded_state_digest <> $2",
      {satellite, digest});
  if (!updated) return fail(updated.error());
  return *updated == 1;
}

common::Status NatsUserStore::remove(Connection& db, std::string_view satellite) const {
  auto done = db.exec("DELETE FROM satellite_nats_users WHERE satellite = $1", {satellite});
  if (!done) return fail(done.error());
  return {};
}

}  // namespace groundcontrol::store
