#include "groundcontrol/store/rollup_store.hpp"

namespace groundcontrol::store {

using common::fail;
using common::sql::Connection;

common::Result<std::vector<RolledUp>> RollupStore::scan(Connection& db) const {
  auto rows = db.query("SELECT satellite, connectivity, sync FROM satellite_rollup");
  if (!rows) return fail(rows.error());
  std::vector<RolledUp> out;
  out.reserve(rows->size());
  for (const auto& r : *rows) out.push_back({r.text(0), r.text(1), r.text(2)});
  return out;
}

common::Status RollupStore::put(Connection& db, const RolledUp& rolled) const {
  auto done = db.exec(
      "INSERT INTO satellite_rollup (satellite, connectivity, sync) VALUES ($1, $2, $3) "
      "ON CONFLICT (satellite) DO UPDATE SET connectivity = excluded.connectivity, "
      "sync = excluded.sync",
      {rolled.satellite, rolled.connectivity, rolled.sync});
  if (!done) return fail(done.error());
  return {};
}

common::Status RollupStore::remove(Connection& db, std::string_view satellite) const {
  auto done = db.exec("DELETE FROM satellite_rollup WHERE satellite = $1", {satellite});
  if (!done) return fail(done.error());
  return {};
}

}  // namespace groundcontrol::store
