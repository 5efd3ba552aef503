// KeyPair: an asymmetric private key (and so its public half) held in an OpenSSL EVP_PKEY:
// made on the device for enrollment (ECDSA P-256), or read back from its PEM file. The
// private key never leaves the machine that made it: only a CSR (certificate_request.hpp)
// carrying the public key is sent. PEM out is unencrypted PKCS#8, so the file holding it
// must be owner-only: write_private_key_file() and load_private_key_file() see to that.
// Move-only owner of the key. Thread-safety: immutable once made; const calls from any
// thread (OpenSSL 3 keys may sign concurrently).
#pragma once

#include <string>
#include <string_view>

#include "common/crypto/openssl_handles.hpp"
#include "common/fs/file_system.hpp"
#include "common/result.hpp"

namespace common::crypto {

class KeyPair {
 public:
  // Largest PEM accepted by from_pem and the file loader.
  static constexpr std::size_t kMaxPemBytes = 64 * 1024;

  // A new ECDSA key on P-256 (prime256v1). kInternal when OpenSSL cannot make one.
  [[nodiscard]] static Result<KeyPair> generate_p256();
  // The private key in `pem` (PKCS#8 or the traditional EC/RSA form; never an encrypted
  // one: no passphrase is asked for). kInvalidArgument when it is not one.
  [[nodiscard]] static Result<KeyPair> from_pem(std::string_view pem);
  // The private key in unencrypted PKCS#8 DER `der` (what encrypted key formats wrap, e.g.
  // cosign's). kInvalidArgument when it is not one (trailing bytes included).
  [[nodiscard]] static Result<KeyPair> from_pkcs8_der(std::string_view der);
  // from_pem() of the owner-only file `path`: errors as fs::read_secret_file (kNotFound,
  // kPermissionDenied for a file group or others may read, …), then as from_pem.
  [[nodiscard]] static Result<KeyPair> load_private_key_file(
      const std::string& path, fs::FileSystem& fs = fs::posix_file_system());

  // The private key as unencrypted PKCS#8 PEM. kInternal only when out of memory.
  [[nodiscard]] Result<std::string> private_key_pem() const;
  // The private key as unencrypted PKCS#8 DER. kInternal only when out of memory. The
  // caller should OPENSSL_cleanse() it when done.
  [[nodiscard]] Result<std::string> private_key_der() const;
  // The public key as SubjectPublicKeyInfo PEM. kInternal only when out of memory.
  [[nodiscard]] Result<std::string> public_key_pem() const;
  // Writes private_key_pem() to `path` atomically with mode 0600 (fs::write_secret_file),
  // replacing any file there. Errors as posix_error().
  [[nodiscard]] Status write_private_key_file(const std::string& path,
                                              fs::FileSystem& fs = fs::posix_file_system()) const;

  // The key, borrowed: for signing with OpenSSL. Never null.
  EVP_PKEY* native() const noexcept { return key_.get(); }

 private:
  explicit KeyPair(EvpPkeyPtr key) : key_(std::move(key)) {}
  EvpPkeyPtr key_;
};

}  // namespace common::crypto
