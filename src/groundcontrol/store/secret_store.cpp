#include "groundcontrol/store/secret_store.hpp"

namespace groundcontrol::store {

using common::fail;
using common::sql::Blob;
using common::sql::Connection;

common::Result<bool> SecretStore::put_if_absent(Connection& db, const StoredSecret& s,
                                                std::string_view now) const {
  auto done = db.exec(
      "INSERT INTO secrets (name, sealed, public_part, created_at) VALUES ($1, $2, $3, $4) "
      "ON CONFLICT (name) DO NOTHING",
      {s.name, Blob{s.sealed}, s.public_part, now});
  if (!done) return fail(done.error());
  return *done > 0;
}

common::Status SecretStore::put(Connection& db, const StoredSecret& s, std::string_view now) const {
  auto done = db.exec(
      "INSERT INTO secrets (name, sealed, public_part, created_at) VALUES ($1, $2, $3, $4) "
      "ON CONFLICT (name) DO UPDATE SET sealed = excluded.sealed, "
      "public_part = excluded.public_part, created_at = excluded.created_at",
      {s.name, Blob{s.sealed}, s.public_part, now});
  if (!done) return fail(done.error());
  return {};
}

common::Result<std::optional<StoredSecret>> SecretStore::get(Connection& db,
                                                             std::string_view name) const {
  auto row = db.query_one("SELECT name, sealed, public_part FROM secrets WHERE name = $1", {name});
  if (!row) return fail(row.error());
  if (!*row) return std::optional<StoredSecret>();
  return StoredSecret{(*row)->text(0), (*row)->blob(1), (*row)->text(2)};
}

common::Status SecretStore::remove(Connection& db, std::string_view name) const {
  auto done = db.exec("DELETE FROM secrets WHERE name = $1", {name});
  if (!done) return fail(done.error());
  return {};
}

}  // namespace groundcontrol::store
