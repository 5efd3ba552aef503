#include "common/crypto/hasher.hpp"

#include <openssl/evp.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace common::crypto {
namespace {

const EVP_MD* md_for(DigestAlgorithm algorithm) {
  return algorithm == DigestAlgorithm::kSha256 ? EVP_sha256() : EVP_sha512();
}

}  // namespace

void Hasher::CtxDeleter::operator()(evp_md_ctx_st* ctx) const noexcept {
  EVP_MD_CTX_free(ctx);
}

Hasher::Hasher(DigestAlgorithm algorithm) : algorithm_(algorithm), ctx_(EVP_MD_CTX_new()) {
  // Allocation or init failure means OpenSSL is unusable: truly exceptional.
  if (!ctx_ || EVP_DigestInit_ex(ctx_.get(), md_for(algorithm), nullptr) != 1) {
    throw std::runtime_error("OpenSSL digest init failed");
  }
}

Hasher::~Hasher() = default;

void Hasher::update(std::string_view data) {
  EVP_DigestUpdate(ctx_.get(), data.data(), data.size());
}

Digest Hasher::digest() const {
  std::unique_ptr<EVP_MD_CTX, CtxDeleter> copy(EVP_MD_CTX_new());
  EVP_MD_CTX_copy_ex(copy.get(), ctx_.get());
  std::array<unsigned char, EVP_MAX_MD_SIZE> raw{};
  unsigned int len = 0;
  EVP_DigestFinal_ex(copy.get(), raw.data(), &len);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex(len * 2, '0');
  for (unsigned int i = 0; i < len; ++i) {
    hex[2 * i] = kHex[raw[i] >> 4];
    hex[2 * i + 1] = kHex[raw[i] & 0xf];
  }
  return Digest::from_hex(algorithm_, std::move(hex));
}

Digest digest_of(std::string_view data, DigestAlgorithm algorithm) {
  Hasher hasher(algorithm);
  hasher.update(data);
  return hasher.digest();
}

Result<Digest> digest_of_fd(int fd, DigestAlgorithm algorithm) {
  Hasher hasher(algorithm);
  std::array<char, 256 * 1024> buffer;
  off_t offset = 0;
  for (;;) {
    const ssize_t n = ::pread(fd, buffer.data(), buffer.size(), offset);
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail(ErrorCode::kInternal, "read failed while hashing", std::strerror(errno));
    }
    if (n == 0) break;
    hasher.update(std::string_view(buffer.data(), static_cast<std::size_t>(n)));
    offset += n;
  }
  return hasher.digest();
}

}  // namespace common::crypto
