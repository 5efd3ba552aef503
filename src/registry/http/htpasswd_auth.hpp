// HtpasswdAuth: HTTP Basic authentication against an htpasswd file whose hashes are bcrypt
// ($2y$/$2b$/$2a$, as `htpasswd -B` writes; checked with libcrypt) or argon2id ($argon2id$,
// checked with libsodium). A hash check costs tens of milliseconds by design, so verified
// credentials are remembered (as a SHA-256 of user and password, never in clear) and
// repeat requests are checked in microseconds. Passwords and headers are never logged.
// Timing: a user name that is not in the file is checked against a dummy hash with the
// parameters (scheme and cost) most entries use, so it fails in the time a known user with a
// wrong password does; the cache answers the same for both. Credentials holding a NUL byte
// are refused before any hash is computed.
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
  // Reads `path` and parses it; kInvalidArgument when unreadable or when parse() fails.
  [[nodiscard]] static common::Result<std::unique_ptr<HtpasswdAuth>> load(const std::string& path);
  // Parses htpasswd text ("user:hash" lines, '#' comments, blank lines; CRLF accepted).
  // kInvalidArgument, with "origin:line" as detail, for a line without a user, a NUL byte, a
  // duplicate user, or a hash that is not well-formed bcrypt or argon2id. Computes no hash:
  // cheap on any input. kInternal when libsodium cannot initialise.
  [[nodiscard]] static common::Result<std::unique_ptr<HtpasswdAuth>> parse(std::string_view text,
                                                                           std::string_view origin);

  // Answer from the cache of verified credentials: true (valid), false (no or malformed
  // Basic credentials), nullopt (a full hash check is needed; also for unknown users).
  std::optional<bool> check_cached(std::string_view authorization) const;
  // Full check of the Authorization header's Basic credentials. Blocking (CPU-heavy), and
  // as slow for an unknown user as for a known one.
  bool verify(std::string_view authorization);

 private:
  struct Credentials {
    std::string user;
    std::string password;
  };
  static std::optional<Credentials> decode(std::string_view authorization);
  static std::string cache_key(const Credentials& credentials);

  std::unordered_map<std::string, std::string> hashes_;  // user -> hash; immutable after parse
  std::string dummy_hash_;    // for unknown users; empty when the file has no entry
  mutable std::mutex mutex_;  // guards verified_
  std::unordered_set<std::string> verified_;
};

}  // namespace registry::http
