#include "common/crypto/hasher.hpp"

#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <vector>

namespace common::crypto {

// The SHA256_*/SHA512_* functions are deprecated in OpenSSL 3 in favour of EVP, but remain
// supported for the whole 3.x series; see the header for why they are used here.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"

Hasher::Hasher(DigestAlgorithm algorithm) {
  if (algorithm == DigestAlgorithm::kSha256) {
    SHA256_CTX ctx;
    SHA256_Init(&ctx);
    ctx_ = ctx;
  } else {
    SHA512_CTX ctx;
    SHA512_Init(&ctx);
    ctx_ = ctx;
  }
}

DigestAlgorithm Hasher::algorithm() const noexcept {
  return ctx_.index() == 0 ? DigestAlgorithm::kSha256 : DigestAlgorithm::kSha512;
}

void Hasher::update(std::string_view data) {
  if (auto* sha256 = std::get_if<SHA256_CTX>(&ctx_)) {
    SHA256_Update(sha256, data.data(), data.size());
  } else {
    SHA512_Update(&std::get<SHA512_CTX>(ctx_), data.data(), data.size());
  }
}

Digest Hasher::digest() const {
  std::array<unsigned char, SHA512_DIGEST_LENGTH> raw{};
  std::size_t len = 0;
  auto copy = ctx_;  // finalising consumes the state; the hasher keeps going
  if (auto* sha256 = std::get_if<SHA256_CTX>(&copy)) {
    SHA256_Final(raw.data(), sha256);
    len = SHA256_DIGEST_LENGTH;
  } else {
    SHA512_Final(raw.data(), &std::get<SHA512_CTX>(copy));
    len = SHA512_DIGEST_LENGTH;
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex(len * 2, '0');
  for (std::size_t i = 0; i < len; ++i) {
    hex[2 * i] = kHex[raw[i] >> 4];
    hex[2 * i + 1] = kHex[raw[i] & 0xf];
  }
  return Digest::from_hex(algorithm(), std::move(hex));
}

#pragma GCC diagnostic pop

Digest digest_of(std::string_view data, DigestAlgorithm algorithm) {
  Hasher hasher(algorithm);
  hasher.update(data);
  return hasher.digest();
}

Status hash_fd(int fd, Hasher& hasher) {
  std::vector<char> buffer(256 * 1024);
  off_t offset = 0;
  for (;;) {
    const ssize_t n = ::pread(fd, buffer.data(), buffer.size(), offset);
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail(ErrorCode::kInternal, "read failed while hashing", std::strerror(errno));
    }
    if (n == 0) return {};
    hasher.update(std::string_view(buffer.data(), static_cast<std::size_t>(n)));
    offset += n;
  }
}

Result<Digest> digest_of_fd(int fd, DigestAlgorithm algorithm) {
  Hasher hasher(algorithm);
  if (auto status = hash_fd(fd, hasher); !status) return fail(status.error());
  return hasher.digest();
}

}  // namespace common::crypto
