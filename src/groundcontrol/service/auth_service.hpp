// AuthService: users, their passwords and login sessions. Passwords are argon2id hashed
// (libsodium); a login returns a bearer token of 256 random bits that is stored only as its
// SHA-256, expires (default 12 h) and is revoked by logout. Checking a token is one indexed
// read, cached per replica for a few seconds (so a logout or a deleted user takes effect
// on every replica within that time) — never a password hash. Repeated failed logins back
// off per (user, client address) (LoginThrottle). The first start creates `admin`.
// Blocking (database, argon2id): call from the blocking pool.
// Thread-safety: every call from any thread.
#pragma once

#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/clock.hpp"
#include "common/crypto/password_hash.hpp"
#include "common/result.hpp"
#include "common/sql/database.hpp"
#include "groundcontrol/service/login_throttle.hpp"
#include "groundcontrol/service/principal.hpp"
#include "groundcontrol/store/event_store.hpp"
#include "groundcontrol/store/user_store.hpp"

namespace groundcontrol::service {

struct AuthConfig {
  std::chrono::seconds session_lifetime{12 * 3600};
  std::chrono::seconds token_cache_ttl{5};
  common::crypto::PasswordHashParams password_hash;  // tests use minimum()
};

struct LoginResult {
  std::string token;  // shown to the user once
  std::string expires_at;
  Role role;
};

struct UserInfo {
  std::string name;
  Role role;
  std::string created_at;
};

// A change to one user; what is absent stays.
struct UserChange {
  std::optional<std::string> password;
  std::optional<Role> role;
  // Who asks: a user changing its own password gives the current one (so a stolen session
  // cannot lock its owner out), and its other sessions end.
  std::optional<std::string> current_password;
};

class AuthService {
 public:
  AuthService(common::sql::Database& db, const common::Clock& clock, AuthConfig config)
      : db_(db), clock_(clock), config_(std::move(config)), throttle_(clock) {}

  // When no user exists, creates `admin` with `password`, or with a random one when it is
  // empty; returns the password to print once (nullopt when admin already existed or the
  // password was given).
  [[nodiscard]] common::Result<std::optional<std::string>> bootstrap_admin(
      const std::string& password);
  // Sets admin's password (a random one when empty, returned) and role, and ends every
  // session of admin: the host operator's way back in.
  [[nodiscard]] common::Result<std::string> reset_admin(const std::string& password);

  // kUnauthenticated for an unknown user or a wrong password (the same message);
  // kTooManyRequests while the (user, address) pair must wait.
  [[nodiscard]] common::Result<LoginResult> login(const std::string& user,
                                                  const std::string& password,
                                                  const std::string& address);
  // Ends the session of `token`; kUnauthenticated when it is not a live session.
  [[nodiscard]] common::Status logout(const std::string& token);
  // The principal of a bearer token; kUnauthenticated for a malformed, unknown or expired
  // one.
  [[nodiscard]] common::Result<Principal> authenticate(const std::string& token);

  // kAlreadyExists, kInvalidArgument (name, empty password).
  [[nodiscard]] common::Result<UserInfo> create_user(const std::string& name,
                                                     const std::string& password, Role role,
                                                     const Principal& actor);
  [[nodiscard]] common::Result<std::vector<UserInfo>> list_users();
  // kNotFound when absent.
  [[nodiscard]] common::Result<UserInfo> get_user(const std::string& name);
  // Admins change anyone's role and password, any user its own password with its current
  // one: kPermissionDenied otherwise and for a wrong current password (which backs off as
  // a failed login from `address` does); kInvalidArgument for admin's role or an empty
  // password; kNotFound. A new password ends every session of the user but
  // `actor_token`'s, a new role takes effect at once on this replica (elsewhere within the
  // token cache's lifetime). Recorded as an event.
  [[nodiscard]] common::Result<UserInfo> update_user(const std::string& name,
                                                     const UserChange& change,
                                                     const Principal& actor,
                                                     const std::string& actor_token,
                                                     const std::string& address);
  // kNotFound; kInvalidArgument for the last admin.
  [[nodiscard]] common::Status delete_user(const std::string& name, const Principal& actor);

 private:
  struct Cached {
    Principal principal;
    std::chrono::steady_clock::time_point until;
  };
  std::string now() const;
  common::Result<store::User> read_user(const std::string& name);  // kNotFound when absent
  common::Result<LoginResult> open_session(const store::User& user);

  common::sql::Database& db_;
  const common::Clock& clock_;
  const AuthConfig config_;
  LoginThrottle throttle_;
  store::UserStore users_;
  store::EventStore events_;
  std::mutex cache_mutex_;                         // guards cache_
  std::unordered_map<std::string, Cached> cache_;  // token digest → principal
};

}  // namespace groundcontrol::service
