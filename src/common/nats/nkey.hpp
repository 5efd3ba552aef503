// Nkey: a NATS Ed25519 key pair (nats-io/nkeys) for operator mode: ground control signs
// operator, account and user JWTs with it, and a NATS client signs the server's connect
// nonce with a user's. Text forms (detail/nkey_codec.hpp):
//   public key  "O…" operator, "A…" account, "U…" user, "N…" server (56 characters)
//   seed        "SO…", "SA…", "SU…", "SN…" (58 characters): the 32-byte Ed25519 seed, the
//               secret that the whole key pair derives from.
// The private key lives in one heap block that is wiped (sodium_memzero) when the Nkey is
// destroyed; an Nkey is move-only so that no copy of it is left behind unwiped. seed()
// hands the secret out as text: the caller owns that copy (store it sealed, never log it).
// Thread-safety: immutable once made; const calls from any thread.
#pragma once

#include <array>
#include <memory>
#include <string>
#include <string_view>

#include "common/result.hpp"

namespace common::nats {

enum class NkeyType { kOperator, kAccount, kUser, kServer };

class Nkey {
 public:
  static constexpr std::size_t kSignatureSize = 64;

  // A fresh key pair of `type` from the OS random source. Cannot fail.
  static Nkey generate(NkeyType type);
  // The key pair `seed` encodes. kInvalidArgument, with a message saying which, for bad
  // base32, a checksum that does not match, a text that is not a seed ('S' prefix) or is the
  // seed of a kind of key this type does not hold, or a wrong length.
  [[nodiscard]] static Result<Nkey> from_seed(std::string_view seed);

  Nkey(Nkey&&) noexcept = default;
  Nkey& operator=(Nkey&&) noexcept = default;
  Nkey(const Nkey&) = delete;
  Nkey& operator=(const Nkey&) = delete;
  ~Nkey() = default;

  NkeyType type() const noexcept { return type_; }
  // The encoded public key ("O…", "A…", "U…", "N…").
  const std::string& public_key() const noexcept { return public_key_; }
  // The encoded seed ("SO…", …): the secret. The caller owns (and should wipe) the copy.
  std::string seed() const;
  // The 64-byte Ed25519 signature of `data`.
  std::string sign(std::string_view data) const;

  // OK when `signature` is `public_key`'s Ed25519 signature of `data`. kInvalidArgument
  // when `public_key` is no valid nkey public key; kUnauthenticated when the signature does
  // not match (or is not 64 bytes).
  [[nodiscard]] static Status verify(std::string_view public_key, std::string_view data,
                                     std::string_view signature);

 private:
  struct Secret;  // libsodium's 64-byte secret key (seed ‖ public key), wiped on release
  struct SecretDeleter {
    void operator()(Secret* secret) const noexcept;
  };
  using SecretPtr = std::unique_ptr<Secret, SecretDeleter>;

  Nkey(NkeyType type, SecretPtr secret);

  NkeyType type_;
  SecretPtr secret_;
  std::string public_key_;
};

// The type of the encoded public key `public_key` ("O…", "A…", "U…", "N…");
// kInvalidArgument for bad base32, a bad checksum, a wrong length or another prefix
// (a seed included).
[[nodiscard]] Result<NkeyType> public_key_type(std::string_view public_key);

// "operator", "account", "user", "server".
std::string_view to_string(NkeyType type) noexcept;

}  // namespace common::nats
