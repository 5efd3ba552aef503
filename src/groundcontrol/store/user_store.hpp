// UserStore: the SQL of `users` and `sessions`. Passwords are stored as argon2id strings
// and sessions by the SHA-256 of their bearer token; this store never sees a password or a
// token. Stateless; calls run in the caller's transaction.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "common/sql/connection.hpp"

namespace groundcontrol::store {

struct User {
  std::string name;
  std::string password_hash;
  std::string role;  // "admin" or "viewer"
  std::string created_at;
  std::string updated_at;
};

struct Session {
  std::string token_digest;
  std::string user;
  std::string role;  // the user's, read with the session
  std::string expires_at;
};

class UserStore {
 public:
  // kAlreadyExists when the name is taken.
  [[nodiscard]] common::Status create(common::sql::Connection& db, const User& user) const;
  // Inserts or replaces the password hash and role (first start, reset-admin).
  [[nodiscard]] common::Status upsert(common::sql::Connection& db, const User& user) const;
  // Sets the password hash and role of an existing user (and its updated_at); kNotFound
  // when absent.
  [[nodiscard]] common::Status update(common::sql::Connection& db, const User& user) const;
  // nullopt when absent.
  [[nodiscard]] common::Result<std::optional<User>> find(common::sql::Connection& db,
                                                         std::string_view name) const;
  [[nodiscard]] common::Result<std::vector<User>> list(common::sql::Connection& db) const;
  // kNotFound when absent; the user's sessions go with it.
  [[nodiscard]] common::Status remove(common::sql::Connection& db, std::string_view name) const;
  [[nodiscard]] common::Result<std::int64_t> count(common::sql::Connection& db) const;

  [[nodiscard]] common::Status add_session(common::sql::Connection& db, const Session& session,
                                           std::string_view now) const;
  // The session with this digest that has not expired at `now`, with its user's role.
  [[nodiscard]] common::Result<std::optional<Session>> find_session(common::sql::Connection& db,
                                                                    std::string_view token_digest,
                                                                    std::string_view now) const;
  // Returns whether one went.
  [[nodiscard]] common::Result<bool> remove_session(common::sql::Connection& db,
                                                    std::string_view token_digest) const;
  [[nodiscard]] common::Result<std::int64_t> remove_sessions_of(common::sql::Connection& db,
                                                                std::string_view user) const;
  // Every session of `user` but the one with digest `kept` (the one changing the password).
  [[nodiscard]] common::Result<std::int64_t> remove_sessions_of_except(common::sql::Connection& db,
                                                                       std::string_view user,
                                                                       std::string_view kept) const;
  [[nodiscard]] common::Result<std::int64_t> remove_expired_sessions(common::sql::Connection& db,
                                                                     std::string_view now) const;
};

}  // namespace groundcontrol::store
