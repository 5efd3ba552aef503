// Cosign keys: an ECDSA P-256 key pair in the formats cosign (sigstore) reads and writes, so
// that what this project signs cosign verifies, and keys made by `cosign generate-key-pair`
// load here. The formats (docs/signatures.md):
//   public key   PEM "PUBLIC KEY" (SubjectPublicKeyInfo).
//   private key  PEM "ENCRYPTED SIGSTORE PRIVATE KEY" (the older label "ENCRYPTED COSIGN
//                PRIVATE KEY" is read too) whose body is base64 of the JSON
//                {"kdf":{"name":"scrypt","params":{"N":…,"r":…,"p":…},"salt":b64},
//                 "cipher":{"name":"nacl/secretbox","nonce":b64(24 bytes)},
//                 "ciphertext":b64(MAC ‖ box)} around the PKCS#8 DER key; scrypt turns the
//                passphrase into the 32-byte secretbox key.
// Only P-256 keys are accepted, private or public: the one kind cosign makes.
// Both classes are move-only owners of their key. Thread-safety: immutable once made;
// const calls from any thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/crypto/key_pair.hpp"
#include "common/crypto/openssl_handles.hpp"
#include "common/result.hpp"

namespace common::crypto {

// scrypt's cost parameters, as the key file names them.
struct ScryptParams {
  std::uint64_t n = 0;  // CPU/memory cost, a power of two
  std::uint64_t r = 0;  // block size
  std::uint64_t p = 0;  // parallelism
  friend bool operator==(const ScryptParams&, const ScryptParams&) = default;
};

class CosignPublicKey {
 public:
  // The P-256 public key in PEM `pem` ("PUBLIC KEY"). kInvalidArgument when it is not a
  // public key, or a key of another kind or curve.
  [[nodiscard]] static Result<CosignPublicKey> from_pem(std::string_view pem);

  // As SubjectPublicKeyInfo PEM. kInternal only when out of memory.
  [[nodiscard]] Result<std::string> pem() const;
  // Borrowed, never null: for verifying with OpenSSL.
  EVP_PKEY* native() const noexcept { return key_.get(); }

 private:
  friend class CosignKey;
  explicit CosignPublicKey(EvpPkeyPtr key) : key_(std::move(key)) {}
  EvpPkeyPtr key_;
};

class CosignKey {
 public:
  // What encrypted_pem() writes by default: cosign 2.5's own choice.
  static constexpr ScryptParams kDefaultScrypt{65536, 8, 1};
  // Largest scrypt costs a key file may ask for: beyond them a hostile file could make
  // from_encrypted_pem() take gigabytes of memory or minutes of CPU. Within them, the
  // memory scrypt needs (128·N·r bytes) is also held to 256 MiB and its work (128·N·r·p) to
  // 1 GiB's worth, so N=2^20 goes only with r ≤ 2. cosign writes N=2^16, r=8, p=1.
  static constexpr std::uint64_t kMaxScryptN = std::uint64_t{1} << 20;
  static constexpr std::uint64_t kMaxScryptR = 32;
  static constexpr std::uint64_t kMaxScryptP = 16;
  static constexpr std::size_t kSaltSize = 32;
  // Largest encrypted key file read (a P-256 one is under 1 KiB).
  static constexpr std::size_t kMaxPemBytes = 64 * 1024;

  // A new P-256 key. kInternal when OpenSSL cannot make one.
  [[nodiscard]] static Result<CosignKey> generate();
  // `key` if it is an ECDSA P-256 key; kInvalidArgument otherwise.
  [[nodiscard]] static Result<CosignKey> from_key_pair(KeyPair key);
  // The key in cosign's encrypted PEM `pem`, opened with `passphrase`. kPermissionDenied
  // when the passphrase is wrong (or the ciphertext was altered: the two cannot be told
  // apart); kInvalidArgument when `pem` is not such a file (no or another PEM label, bad
  // base64, not the JSON above, a kdf other than scrypt or scrypt costs beyond the limits
  // above, a cipher other than nacl/secretbox, a salt or nonce of the wrong size, a
  // ciphertext shorter than the MAC) or holds a key that is not P-256.
  [[nodiscard]] static Result<CosignKey> from_encrypted_pem(std::string_view pem,
                                                            std::string_view passphrase);

  // The key in cosign's encrypted PEM, labelled "ENCRYPTED SIGSTORE PRIVATE KEY", with a
  // fresh salt and nonce, sealed under `passphrase` (which may be empty, as cosign allows).
  // kInvalidArgument when `scrypt` is beyond the limits or N is not a power of two above 1;
  // kInternal when OpenSSL fails (out of memory).
  [[nodiscard]] Result<std::string> encrypted_pem(std::string_view passphrase,
                                                  ScryptParams scrypt = kDefaultScrypt) const;
  // The public half, for verifying.
  [[nodiscard]] Result<CosignPublicKey> public_key() const;
  // The public half as PEM, the content of cosign.pub. kInternal only when out of memory.
  [[nodiscard]] Result<std::string> public_key_pem() const { return key_.public_key_pem(); }
  // The ECDSA signature over SHA-256 of `payload`, DER encoded (raw bytes; cosign stores its
  // base64). kInternal when OpenSSL fails.
  [[nodiscard]] Result<std::string> sign(std::string_view payload) const;

  const KeyPair& key_pair() const noexcept { return key_; }

 private:
  explicit CosignKey(KeyPair key) : key_(std::move(key)) {}
  KeyPair key_;
};

// True when `key` is an EC key on P-256.
bool is_p256_key(const EVP_PKEY* key) noexcept;

}  // namespace common::crypto
