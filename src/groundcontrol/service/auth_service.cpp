#include "groundcontrol/service/auth_service.hpp"

#include <fmt/format.h>

#include "common/crypto/base64.hpp"
#include "common/crypto/random_bytes.hpp"
#include "common/crypto/secret_token.hpp"
#include "common/time_format.hpp"
#include "groundcontrol/model/names.hpp"

namespace groundcontrol::service {
namespace {

using common::ErrorCode;
using common::fail;
using common::sql::Connection;

constexpr std::string_view kAdmin = "admin";
constexpr std::string_view kTokenPrefix = "gcs";  // ground control session
constexpr std::size_t kMaxCachedTokens = 10'000;

std::string random_password() {
  return common::crypto::base64url_encode(common::crypto::random_bytes(18));
}

std::unexpected<common::Error> bad_login() {
  return fail(ErrorCode::kUnauthenticated, "wrong user name or password");
}

}  // namespace

std::string AuthService::now() const {
  return common::format_rfc3339(clock_.now());
}

common::Result<std::optional<std::string>> AuthService::bootstrap_admin(
    const std::string& password) {
  const auto chosen = password.empty() ? random_password() : password;
  auto hash = common::crypto::hash_password(chosen, config_.password_hash);
  if (!hash) return fail(hash.error());
  bool created = false;
  auto done = db_.transact([&](Connection& db) -> common::Status {
    auto users = users_.count(db);
    if (!users) return fail(users.error());
    created = *users == 0;
    if (!created) return {};
    return users_.create(db, {std::string(kAdmin), *hash, "admin", now(), now()});
  });
  if (!done) return fail(done.error());
  if (!created || !password.empty()) return std::optional<std::string>();
  return std::optional<std::string>(chosen);
}

common::Result<std::string> AuthService::reset_admin(const std::string& password) {
  const auto chosen = password.empty() ? random_password() : password;
  auto hash = common::crypto::hash_password(chosen, config_.password_hash);
  if (!hash) return fail(hash.error());
  auto done = db_.transact([&](Connection& db) -> common::Status {
    if (auto ok = users_.upsert(db, {std::string(kAdmin), *hash, "admin", now(), now()}); !ok)
      return ok;
    if (auto ended = users_.remove_sessions_of(db, kAdmin); !ended) return fail(ended.error());
    return events_.record(db, {0, now(), "host:reset-admin", "reset", "User", "admin", ""});
  });
  if (!done) return fail(done.error());
  std::lock_guard lock(cache_mutex_);
  cache_.clear();
  return chosen;
}

common::Result<LoginResult> AuthService::open_session(const store::User& user) {
  auto token = common::crypto::SecretToken::generate(kTokenPrefix);
  if (!token) return fail(token.error());
  const auto expires = common::format_rfc3339(clock_.now() + config_.session_lifetime);
  auto done = db_.transact([&](Connection& db) {
    return users_.add_session(db, {token->digest(), user.name, user.role, expires}, now());
  });
  if (!done) return fail(done.error());
  return LoginResult{token->reveal(), expires, role_from_name(user.role).value_or(Role::kViewer)};
}

common::Result<LoginResult> AuthService::login(const std::string& user, const std::string& password,
                                               const std::string& address) {
  if (const auto wait = throttle_.wait_for(user, address); wait.count() > 0)
    return fail(ErrorCode::kTooManyRequests,
                fmt::format("too many failed logins; try again in {} s", wait.count()));
  auto found = read_user(user);
  if (!found && found.error().code() != ErrorCode::kNotFound) return fail(found.error());
  if (!found || !common::crypto::verify_password(found->password_hash, password)) {
    throttle_.failed(user, address);
    return bad_login();
  }
  throttle_.succeeded(user, address);
  return open_session(*found);
}

common::Status AuthService::logout(const std::string& token) {
  const auto digest = common::crypto::token_digest(token);
  bool removed = false;
  auto done = db_.transact([&](Connection& db) -> common::Status {
    auto r = users_.remove_session(db, digest);
    if (!r) return fail(r.error());
    removed = *r;
    return {};
  });
  if (!done) return done;
  {
    std::lock_guard lock(cache_mutex_);
    cache_.erase(digest);
  }
  if (!removed) return fail(ErrorCode::kUnauthenticated, "not a live session");
  return {};
}

common::Result<Principal> AuthService::authenticate(const std::string& token) {
  if (!common::crypto::SecretToken::parse(token, kTokenPrefix))
    return fail(ErrorCode::kUnauthenticated, "not a ground control token");
  const auto digest = common::crypto::token_digest(token);
  const auto steady = clock_.steady_now();
  {
    std::lock_guard lock(cache_mutex_);
    const auto found = cache_.find(digest);
    if (found != cache_.end() && found->second.until > steady) return found->second.principal;
  }
  std::optional<store::Session> session;
  auto read = db_.transact(
      [&](Connection& db) -> common::Status {
        auto s = users_.find_session(db, digest, now());
        if (!s) return fail(s.error());
        session = std::move(*s);
        return {};
      },
      {.read_only = true});
  if (!read) return fail(read.error());
  if (!session)
    return fail(ErrorCode::kUnauthenticated, "the token is unknown or expired; log in again");
  Principal principal{"user:" + session->user,
                      role_from_name(session->role).value_or(Role::kViewer)};
  std::lock_guard lock(cache_mutex_);
  if (cache_.size() >= kMaxCachedTokens) cache_.clear();
  cache_[digest] = Cached{principal, steady + config_.token_cache_ttl};
  return principal;
}

common::Result<UserInfo> AuthService::create_user(const std::string& name,
                                                  const std::string& password, Role role,
                                                  const Principal& actor) {
  if (auto ok = model::validate_name(name, "metadata.name"); !ok) return fail(ok.error());
  if (password.empty()) return fail(ErrorCode::kInvalidArgument, "password: required");
  auto hash = common::crypto::hash_password(password, config_.password_hash);
  if (!hash) return fail(hash.error());
  const auto at = now();
  auto done = db_.transact([&](Connection& db) -> common::Status {
    if (auto ok = users_.create(db, {name, *hash, std::string(role_name(role)), at, at}); !ok)
      return ok;
    return events_.record(db, {0, at, actor.actor, "create", "User", name, ""});
  });
  if (!done) return fail(done.error());
  return UserInfo{name, role, at};
}

common::Result<std::vector<UserInfo>> AuthService::list_users() {
  std::vector<UserInfo> out;
  auto read = db_.transact(
      [&](Connection& db) -> common::Status {
        auto users = users_.list(db);
        if (!users) return fail(users.error());
        out.clear();  // a retried attempt starts over
        for (const auto& u : *users)
          out.push_back({u.name, role_from_name(u.role).value_or(Role::kViewer), u.created_at});
        return {};
      },
      {.read_only = true});
  if (!read) return fail(read.error());
  return out;
}

common::Result<store::User> AuthService::read_user(const std::string& name) {
  std::optional<store::User> found;
  auto read = db_.transact(
      [&](Connection& db) -> common::Status {
        auto u = users_.find(db, name);
        if (!u) return fail(u.error());
        found = std::move(*u);
        return {};
      },
      {.read_only = true});
  if (!read) return fail(read.error());
  if (!found) return fail(ErrorCode::kNotFound, fmt::format("user \"{}\" not found", name));
  return std::move(*found);
}

common::Result<UserInfo> AuthService::get_user(const std::string& name) {
  auto found = read_user(name);
  if (!found) return fail(found.error());
  return UserInfo{found->name, role_from_name(found->role).value_or(Role::kViewer),
                  found->created_at};
}

common::Result<UserInfo> AuthService::update_user(const std::string& name, const UserChange& change,
                                                  const Principal& actor,
                                                  const std::string& actor_token,
                                                  const std::string& address) {
  const bool self = actor.actor == "user:" + name;
  const bool admin = actor.role == Role::kAdmin;
  if (!admin && (!self || change.role))
    return fail(ErrorCode::kPermissionDenied,
                "only an admin changes roles or another user's password");
  if (change.role && name == kAdmin && *change.role != Role::kAdmin)
    return fail(ErrorCode::kInvalidArgument, "spec.role: admin stays an admin");
  if (change.password && change.password->empty())
    return fail(ErrorCode::kInvalidArgument, "spec.password: must not be empty");
  if (self && change.password && !change.current_password)
    return fail(ErrorCode::kInvalidArgument,
                "spec.currentPassword: required to change your own password");
  if (const auto wait = throttle_.wait_for(name, address); self && wait.count() > 0)
    return fail(ErrorCode::kTooManyRequests,
                fmt::format("too many wrong passwords; try again in {} s", wait.count()));
  auto found = read_user(name);
  if (!found) return fail(found.error());
  if (self && change.password) {
    if (!common::crypto::verify_password(found->password_hash, *change.current_password)) {
      throttle_.failed(name, address);
      return fail(ErrorCode::kPermissionDenied, "spec.currentPassword: wrong password");
    }
    throttle_.succeeded(name, address);
  }
  store::User updated = *found;
  std::string message;
  if (change.password) {
    auto hash = common::crypto::hash_password(*change.password, config_.password_hash);
    if (!hash) return fail(hash.error());
    updated.password_hash = std::move(*hash);
    message = "password changed";
  }
  if (change.role) {
    updated.role = std::string(role_name(*change.role));
    if (updated.role != found->role)
      message +=
          fmt::format("{}role {} → {}", message.empty() ? "" : "; ", found->role, updated.role);
  }
  updated.updated_at = now();
  const auto kept =
      actor_token.empty() || !self ? std::string() : common::crypto::token_digest(actor_token);
  auto done = db_.transact([&](Connection& db) -> common::Status {
    if (auto ok = users_.update(db, updated); !ok) return ok;
    if (change.password) {
      auto ended = users_.remove_sessions_of_except(db, name, kept);
      if (!ended) return fail(ended.error());
    }
    return events_.record(db, {0, updated.updated_at, actor.actor, "patch", "User", name,
                               message.empty() ? "unchanged" : message});
  });
  if (!done) return fail(done.error());
  {
    std::lock_guard lock(cache_mutex_);
    cache_.clear();  // the user's cached sessions carry its old role, or ended
  }
  return UserInfo{updated.name, role_from_name(updated.role).value_or(Role::kViewer),
                  updated.created_at};
}

common::Status AuthService::delete_user(const std::string& name, const Principal& actor) {
  if (name == kAdmin)
    return fail(ErrorCode::kInvalidArgument,
                "admin cannot be deleted (use ground-control reset-admin to change its password)");
  auto done = db_.transact([&](Connection& db) -> common::Status {
    if (auto ok = users_.remove(db, name); !ok) return ok;
    return events_.record(db, {0, now(), actor.actor, "delete", "User", name, ""});
  });
  if (!done) return done;
  std::lock_guard lock(cache_mutex_);
  cache_.clear();  // the user's cached sessions end with it
  return {};
}

}  // namespace groundcontrol::service
