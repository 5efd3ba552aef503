// Hasher: incremental sha256/sha512 over OpenSSL's EVP interface, producing a Digest.
// Owns its EVP context (RAII); movable, not copyable; one thread at a time.
#pragma once

#include <memory>
#include <string_view>

#include "common/digest.hpp"

struct evp_md_ctx_st;

namespace common::crypto {

class Hasher {
 public:
  explicit Hasher(DigestAlgorithm algorithm);
  Hasher(Hasher&&) noexcept = default;
  Hasher& operator=(Hasher&&) noexcept = default;
  ~Hasher();

  void update(std::string_view data);
  // Digest of everything passed to update() so far; the hasher can keep going afterwards.
  Digest digest() const;
  DigestAlgorithm algorithm() const noexcept { return algorithm_; }

 private:
  struct CtxDeleter {
    void operator()(evp_md_ctx_st* ctx) const noexcept;
  };
  DigestAlgorithm algorithm_;
  std::unique_ptr<evp_md_ctx_st, CtxDeleter> ctx_;
};

// Digest of a whole buffer.
Digest digest_of(std::string_view data, DigestAlgorithm algorithm = DigestAlgorithm::kSha256);

// Digest of a file's contents read from `fd` from offset 0; kInternal on read errors.
[[nodiscard]] Result<Digest> digest_of_fd(int fd, DigestAlgorithm algorithm);

}  // namespace common::crypto
