// Hasher: incremental sha256/sha512 producing a Digest. Uses OpenSSL's direct SHA-2 block
// functions (SHA-NI/AVX accelerated) rather than the EVP provider layer: same speed, but
// it does not initialise OpenSSL's provider machinery, which alone costs a registry ~2 MB
// of resident memory. Value type: copyable, movable; one thread at a time.
#pragma once

#include <openssl/sha.h>

#include <string_view>
#include <variant>

#include "common/digest.hpp"

namespace common::crypto {

class Hasher {
 public:
  explicit Hasher(DigestAlgorithm algorithm);

  void update(std::string_view data);
  // Digest of everything passed to update() so far; the hasher can keep going afterwards.
  Digest digest() const;
  DigestAlgorithm algorithm() const noexcept;

 private:
  std::variant<SHA256_CTX, SHA512_CTX> ctx_;
};

// Digest of a whole buffer.
Digest digest_of(std::string_view data, DigestAlgorithm algorithm = DigestAlgorithm::kSha256);

// Feeds the contents of `fd`, from offset 0, to `hasher`; kInternal on read errors.
[[nodiscard]] Status hash_fd(int fd, Hasher& hasher);

// Digest of a file's contents read from `fd` from offset 0; kInternal on read errors.
[[nodiscard]] Result<Digest> digest_of_fd(int fd, DigestAlgorithm algorithm);

}  // namespace common::crypto
