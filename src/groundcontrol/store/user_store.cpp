#include "groundcontrol/store/user_store.hpp"

#include <fmt/format.h>

namespace groundcontrol::store {

using common::fail;
using common::sql::Connection;

common::Status UserStore::create(Connection& db, const User& u) const {
  auto done = db.exec(
      "INSERT INTO users (name, password_hash, role, created_at, updated_at) "
      "VALUES ($1, $2, $3, $4, $5)",
      {u.name, u.password_hash, u.role, u.created_at, u.updated_at});
  if (!done) {
    if (done.error().code() == common::ErrorCode::kAlreadyExists)
      return fail(common::ErrorCode::kAlreadyExists,
                  fmt::format("user \"{}\" already exists", u.name));
    return fail(done.error());
  }
  return {};
}

common::Status UserStore::upsert(Connection& db, const User& u) const {
  auto done = db.exec(
      "INSERT INTO users (name, password_hash, role, created_at, updated_at) "
      "VALUES ($1, $2, $3, $4, $5) ON CONFLICT (name) DO UPDATE SET "
      "password_hash = excluded.password_hash, role = excluded.role, "
      "updated_at = excluded.updated_at",
      {u.name, u.password_hash, u.role, u.created_at, u.updated_at});
  if (!done) return fail(done.error());
  return {};
}

common::Status UserStore::update(Connection& db, const User& u) const {
  auto done =
      db.exec("UPDATE users SET password_hash = $2, role = $3, updated_at = $4 WHERE name = $1",
              {u.name, u.password_hash, u.role, u.updated_at});
  if (!done) return fail(done.error());
  if (*done == 0)
    return fail(common::ErrorCode::kNotFound, fmt::format("user \"{}\" not found", u.name));
  return {};
}

common::Result<std::optional<User>> UserStore::find(Connection& db, std::string_view name) const {
  auto row = db.query_one(
      "SELECT name, password_hash, role, created_at, updated_at FROM users WHERE name = $1",
      {name});
  if (!row) return fail(row.error());
  if (!*row) return std::optional<User>();
  const auto& r = **row;
  return User{r.text(0), r.text(1), r.text(2), r.text(3), r.text(4)};
}

common::Result<std::vector<User>> UserStore::list(Connection& db) const {
  auto rows = db.query("SELECT name, '', role, created_at, updated_at FROM users ORDER BY name");
  if (!rows) return fail(rows.error());
  std::vector<User> out;
  for (const auto& r : *rows) out.push_back(User{r.text(0), "", r.text(2), r.text(3), r.text(4)});
  return out;
}

common::Status UserStore::remove(Connection& db, std::string_view name) const {
  if (auto sessions = remove_sessions_of(db, name); !sessions) return fail(sessions.error());
  auto done = db.exec("DELETE FROM users WHERE name = $1", {name});
  if (!done) return fail(done.error());
  if (*done == 0)
    return fail(common::ErrorCode::kNotFound, fmt::format("user \"{}\" not found", name));
  return {};
}

common::Result<std::int64_t> UserStore::count(Connection& db) const {
  auto row = db.query_one("SELECT COUNT(*) FROM users");
  if (!row) return fail(row.error());
  return (*row)->int64(0);
}

common::Status UserStore::add_session(Connection& db, const Session& s,
                                      std::string_view now) const {
  auto done = db.exec(
      "INSERT INTO sessions (token_digest, user_name, created_at, expires_at) "
      "VALUES ($1, $2, $3, $4)",
      {s.token_digest, s.user, now, s.expires_at});
  if (!done) return fail(done.error());
  return {};
}

common::Result<std::optional<Session>> UserStore::find_session(Connection& db,
                                                               std::string_view token_digest,
                                                               std::string_view now) const {
  auto row = db.query_one(
      "SELECT s.token_digest, s.user_name, u.role, s.expires_at FROM sessions s "
      "JOIN users u ON u.name = s.user_name WHERE s.token_digest = $1 AND s.expires_at > $2",
      {token_digest, now});
  if (!row) return fail(row.error());
  if (!*row) return std::optional<Session>();
  const auto& r = **row;
  return Session{r.text(0), r.text(1), r.text(2), r.text(3)};
}

common::Result<bool> UserStore::remove_session(Connection& db,
                                               std::string_view token_digest) const {
  auto done = db.exec("DELETE FROM sessions WHERE token_digest = $1", {token_digest});
  if (!done) return fail(done.error());
  return *done > 0;
}

common::Result<std::int64_t> UserStore::remove_sessions_of(Connection& db,
                                                           std::string_view user) const {
  return db.exec("DELETE FROM sessions WHERE user_name = $1", {user});
}

common::Result<std::int64_t> UserStore::remove_sessions_of_except(Connection& db,
                                                                  std::string_view user,
                                                                  std::string_view kept) const {
  return db.exec("DELETE FROM sessions WHERE user_name = $1 AND token_digest <> $2", {user, kept});
}

common::Result<std::int64_t> UserStore::remove_expired_sessions(Connection& db,
                                                                std::string_view now) const {
  return db.exec("DELETE FROM sessions WHERE expires_at <= $1", {now});
}

}  // namespace groundcontrol::store
