// SecretToken: an opaque bearer secret (enrollment token, API token): a short type prefix,
// '_', and base64url of 32 random bytes, e.g. "gcenroll_3q2-…" (43 characters after the
// '_'). The prefix says what the token is for (and lets secret scanners find leaked ones);
// the 256 random bits are the secret. Only token_digest() of a token is stored: a token
// carries full entropy, so one SHA-256 is the right hash (no salt, no stretching: unlike
// passwords, a token cannot be guessed). Value type; the text is never logged by this code.
// Thread-safety: immutable once made.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "common/result.hpp"

namespace common::crypto {

class SecretToken {
 public:
  static constexpr std::size_t kRandomBytes = 32;
  static constexpr std::size_t kMaxPrefix = 16;

  // A new token of type `prefix` (1-16 of [a-z0-9]); kInvalidArgument for another prefix.
  [[nodiscard]] static Result<SecretToken> generate(std::string_view prefix);
  // Checks presented `text` is a well-formed token of type `prefix`; kInvalidArgument for
  // another prefix, a missing '_' or a random part that is not base64url of 32 bytes.
  // Says nothing about whether the token is known: compare token_digest() for that.
  [[nodiscard]] static Result<SecretToken> parse(std::string_view text, std::string_view prefix);

  // The whole token, to hand to its holder once. Never log it.
  const std::string& reveal() const noexcept { return text_; }
  // The type prefix (without the '_').
  std::string_view prefix() const noexcept;
  // token_digest() of the token: what the store keeps.
  std::string digest() const;

 private:
  SecretToken(std::string text, std::size_t prefix_size)
      : text_(std::move(text)), prefix_size_(prefix_size) {}
  std::string text_;
  std::size_t prefix_size_;
};

// Lowercase hex SHA-256 of `token` (64 characters): the stored form of a token.
std::string token_digest(std::string_view token);

// True when `token`'s digest equals `stored_digest`, compared in constant time.
bool token_matches(std::string_view token, std::string_view stored_digest);

}  // namespace common::crypto
