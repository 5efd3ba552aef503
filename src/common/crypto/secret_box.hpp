// SecretBox: authenticated encryption of secrets at rest (the CA's private key, upstream
// passwords in the store) under a MasterKey, with libsodium's crypto_secretbox
// (XSalsa20-Poly1305) and a fresh random 24-byte nonce per seal.
// A sealed secret is self-describing, so master keys can be rotated:
//   byte 0       version (1)
//   bytes 1-8    the id of the MasterKey that sealed it (MasterKey::id)
//   bytes 9-32   nonce
//   bytes 33-    Poly1305 tag (16 bytes), then the ciphertext (as long as the plaintext)
// The box seals with its current key and opens what the current key or any retired key
// sealed; a rotation job reseals what sealed_with_current() says is old, then retires the
// old key. Sealed bytes are binary: base64 them where text is needed.
// Owns its keys. Thread-safety: immutable once made; seal/open from any thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/crypto/master_key.hpp"
#include "common/result.hpp"

namespace common::crypto {

class SecretBox {
 public:
  static constexpr std::uint8_t kVersion = 1;
  static constexpr std::size_t kNonceSize = 24;
  static constexpr std::size_t kTagSize = 16;
  // Bytes a sealed secret has beyond its plaintext.
  static constexpr std::size_t kOverhead = 1 + MasterKey::kIdSize + kNonceSize + kTagSize;

  // Seals with `current`; opens what `current` or any of `retired` sealed.
  explicit SecretBox(MasterKey current, std::vector<MasterKey> retired = {});

  // `plaintext` sealed under the current key (kOverhead bytes longer). Cannot fail.
  std::string seal(std::string_view plaintext) const;
  // The plaintext `sealed` holds. kPermissionDenied when it was sealed by a key this box
  // does not hold (the wrong key: the message names the key id); kCorruption when it is
  // truncated, of an unknown version, or fails authentication (damaged or tampered with).
  // Never returns bytes that were not sealed under one of the box's keys.
  [[nodiscard]] Result<std::string> open(std::string_view sealed) const;
  // True when `sealed` names the current key (false for another key or a malformed input):
  // whether a rotation still has to reseal it.
  bool sealed_with_current(std::string_view sealed) const noexcept;

  const MasterKey& current() const noexcept { return keys_.front(); }

 private:
  std::vector<MasterKey> keys_;  // current first
};

}  // namespace common::crypto
