#include "groundcontrol/store/group_credential_store.hpp"

namespace groundcontrol::store {

using common::fail;
using common::sql::Connection;

common::Status GroupCredentialStore::add(Connection& db, const GroupCredential& c) const {
  auto done = db.exec(
      "INSERT INTO group_credentials (access_id, group_name, secret_digest, created_at) "
      "VALUES ($1, $2, $3, $4)",
      {c.access_id, c.group, c.secret_digest, c.created_at});
  if (!done) return fail(done.error());
  return {};
}

common::Result<std::optional<GroupCredential>> GroupCredentialStore::find(
    Connection& db, std::string_view access_id) const {
  auto row = db.query_one(
      "SELECT access_id, group_name, secret_digest, created_at FROM group_credentials "
      "WHERE access_id = $1",
      {access_id});
  if (!row) return fail(row.error());
  if (!*row) return std::optional<GroupCredential>();
  const auto& r = **row;
  return GroupCredential{r.text(0), r.text(1), r.text(2), r.text(3)};
}

common::Result<std::vector<GroupCredential>> GroupCredentialStore::list_of(
    Connection& db, std::string_view group) const {
  auto rows = db.query(
      "SELECT access_id, group_name, secret_digest, created_at FROM group_credentials "
      "WHERE group_name = $1 ORDER BY created_at, access_id",
      {group});
  if (!rows) return fail(rows.error());
  std::vector<GroupCredential> out;
  for (const auto& r : *rows) out.push_back({r.text(0), r.text(1), r.text(2), r.text(3)});
  return out;
}

common::Result<bool> GroupCredentialStore::remove(Connection& db, std::string_view group,
                                                  std::string_view access_id) const {
  auto removed = db.exec("DELETE FROM group_credentials WHERE group_name = $1 AND access_id = $2",
                         {group, access_id});
  if (!removed) return fail(removed.error());
  return *removed > 0;
}

common::Result<std::int64_t> GroupCredentialStore::remove_all_of(Connection& db,
                                                                 std::string_view group) const {
  return db.exec("DELETE FROM group_credentials WHERE group_name = $1", {group});
}

}  // namespace groundcontrol::store
