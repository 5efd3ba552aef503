// HtpasswdAuth: HTTP Basic authentication against an htpasswd file whose hashes are bcrypt
// ($2y$/$2b$/$2a$, as `htpasswd -B` writes; checked with libcrypt) or argon2id ($argon2id$,
// checked with libsodium). A hash check costs tens of milliseconds by design, so verified
// credentials are remembered (as a SHA-256 of user and password, never in clear) and
// repeat requests are checked in microseconds. Passwords and headers are never logged.
// Thread-safety: all calls are safe from any thread.
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

#include "common/result.hpp"

namespace registry::http {

class HtpasswdAuth {
 public:
  // Reads `path`; kInvalidArgument when unreadable, malformed or using another hash scheme.
  [[nodiscard]] static common::Result<std::unique_ptr<HtpasswdAuth>> load(const std::string& path);

  // Answer from the cache of verified credentials: true (valid), false (malformed header or
  // unknown user), nullopt (a full hash check is needed).
  std::optional<bool> check_cached(std::string_view authorization) const;
  // Full check of the Authorization header's Basic credentials. Blocking (CPU-heavy).
  bool verify(std::string_view authorization);

 private:
  struct Credentials {
    std::string user;
    std::string password;
  };
  static std::optional<Credentials> decode(std::string_view authorization);
  static std::string cache_key(const Credentials& credentials);

  std::unordered_map<std::string, std::string> hashes_;  // user -> hash; immutable after load
  mutable std::mutex mutex_;                             // guards verified_
  std::unordered_set<std::string> verified_;
};

}  // namespace registry::http
