#include "common/crypto/random_bytes.hpp"

#include "common/crypto/detail/sodium.hpp"

namespace common::crypto {

std::string random_bytes(std::size_t n) {
  detail::sodium_ready();
  std::string bytes(n, '\0');
  randombytes_buf(bytes.data(), bytes.size());
  return bytes;
}

}  // namespace common::crypto
