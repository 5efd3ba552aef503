#include "groundcontrol/store/lease_store.hpp"

namespace groundcontrol::store {

using common::fail;
using common::sql::Connection;

common::Result<bool> LeaseStore::acquire(Connection& db, std::string_view name,
                                         std::string_view holder, std::string_view now,
                                         std::string_view expires_at) const {
  auto taken = db.exec(
      "INSERT INTO leases (name, holder, expires_at) VALUES ($1, $2, $3) "
      "ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, "
      "expires_at = excluded.expires_at "
      "WHERE leases.holder = excluded.holder OR leases.expires_at < $4",
      {name, holder, expires_at, now});
  if (!taken) return fail(taken.error());
  auto lease = get(db, name);
  if (!lease) return fail(lease.error());
  return *lease && (*lease)->holder == holder;
}

common::Status LeaseStore::release(Connection& db, std::string_view name,
                                   std::string_view holder) const {
  auto done = db.exec("DELETE FROM leases WHERE name = $1 AND holder = $2", {name, holder});
  if (!done) return fail(done.error());
  return {};
}

common::Result<std::optional<Lease>> LeaseStore::get(Connection& db, std::string_view name) const {
  auto row = db.query_one("SELECT name, holder, expires_at FROM leases WHERE name = $1", {name});
  if (!row) return fail(row.error());
  if (!*row) return std::optional<Lease>();
  return Lease{(*row)->text(0), (*row)->text(1), (*row)->text(2)};
}

}  // namespace groundcontrol::store
