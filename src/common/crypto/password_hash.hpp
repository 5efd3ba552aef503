// Password hashing with argon2id (libsodium crypto_pwhash_str): for secrets a person picks
// (operator passwords), which are guessable and so need a slow, salted, memory-hard hash.
// Bearer tokens do not: see secret_token.hpp. A stored hash is the self-describing
// "$argon2id$v=19$m=…,t=…,p=1$salt$hash" string, so its cost travels with it and can be
// raised later (password_needs_rehash). Each hash or verify costs mem_limit bytes and tens
// of milliseconds by design: run it on the blocking pool and bound how many run at once.
// Thread-safety: pure functions, safe from any thread.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "common/result.hpp"

namespace common::crypto {

// The argon2id cost. The defaults are libsodium's INTERACTIVE limits; minimum() is
// libsodium's MIN, for tests only.
struct PasswordHashParams {
  unsigned long long ops_limit = 2;  // passes over memory (crypto_pwhash_OPSLIMIT_INTERACTIVE)
  std::size_t mem_limit = 64 << 20;  // bytes (crypto_pwhash_MEMLIMIT_INTERACTIVE)

  // libsodium's smallest accepted cost (OPSLIMIT_MIN, MEMLIMIT_MIN): fast, and weak.
  static constexpr PasswordHashParams minimum() { return {1, 8192}; }
};

// Longest password accepted, in bytes.
inline constexpr std::size_t kMaxPasswordBytes = 4096;

// The stored form of `password`: an argon2id string with a fresh random salt.
// kInvalidArgument for an empty password, one over kMaxPasswordBytes or params outside
// libsodium's limits; kResourceExhausted when mem_limit bytes cannot be allocated.
[[nodiscard]] Result<std::string> hash_password(std::string_view password,
                                                const PasswordHashParams& params = {});

// True when `password` matches `stored` (a hash_password string, at whatever cost it was
// made with); false for a wrong password or a malformed `stored`.
bool verify_password(std::string_view stored, std::string_view password);

// True when `stored` was not made by argon2id with exactly `params` (or is malformed):
// after a successful verify, hash the password again and store the new string.
bool password_needs_rehash(std::string_view stored, const PasswordHashParams& params = {});

}  // namespace common::crypto
