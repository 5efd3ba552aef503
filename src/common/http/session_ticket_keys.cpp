#include "common/http/session_ticket_keys.hpp"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <stdexcept>
#include <string>

#include "common/crypto/openssl_handles.hpp"

namespace common::http {
namespace {

using Block = std::array<unsigned char, 32>;

Block hmac_sha256(std::span<const unsigned char> key, std::span<const unsigned char> data) {
  Block out{};
  unsigned int size = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), data.data(), data.size(), out.data(),
       &size);
  return out;
}

std::span<const unsigned char> bytes_of(std::string_view text) {
  return {reinterpret_cast<const unsigned char*>(text.data()), text.size()};
}

// Floor division, so that times before the epoch (a broken clock) still map to one period.
std::int64_t period_of(std::chrono::system_clock::time_point now) {
  const auto since = now.time_since_epoch();
  const auto period =
      std::chrono::duration_cast<std::chrono::system_clock::duration>(SessionTicketKeys::kPeriod);
  auto index = since / period;
  if (since % period < std::chrono::system_clock::duration::zero()) --index;
  return static_cast<std::int64_t>(index);
}

}  // namespace

SessionTicketKeys SessionTicketKeys::derive(std::span<const unsigned char> secret,
                                            std::string_view label) {
  const std::string salt = "common::http session tickets/" + std::string(label);
  SessionTicketKeys keys;
  keys.prk_ = hmac_sha256(bytes_of(salt), secret);
  return keys;
}

SessionTicketKeys::~SessionTicketKeys() {
  OPENSSL_cleanse(prk_.data(), prk_.size());
}

// HKDF-Expand (RFC 5869 §2.3, OpenSSL's HKDF in expand-only mode) of the period's info into
// name, cipher and MAC keys.
SessionTicketKeys::Key SessionTicketKeys::key_of(std::int64_t period) const {
  std::string info = "ticket keys of period ";
  for (int shift = 56; shift >= 0; shift -= 8)
    info.push_back(static_cast<char>((static_cast<std::uint64_t>(period) >> shift) & 0xff));
  std::array<unsigned char, kNameSize + 64> material{};
  const crypto::EvpKdfPtr kdf(EVP_KDF_fetch(nullptr, "HKDF", nullptr));
  const crypto::EvpKdfCtxPtr context(kdf ? EVP_KDF_CTX_new(kdf.get()) : nullptr);
  int mode = EVP_KDF_HKDF_MODE_EXPAND_ONLY;
  char digest[] = "SHA256";
  auto prk = prk_;
  const OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, digest, 0),
      OSSL_PARAM_construct_int(OSSL_KDF_PARAM_MODE, &mode),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, prk.data(), prk.size()),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, info.data(), info.size()),
      OSSL_PARAM_construct_end()};
  const bool derived =
      context && EVP_KDF_derive(context.get(), material.data(), material.size(), params) == 1;
  OPENSSL_cleanse(prk.data(), prk.size());
  // Only a broken OpenSSL fails here: no key then, never a predictable one.
  if (!derived) throw std::runtime_error("HKDF-SHA256 is not available from OpenSSL");
  Key key;
  auto at = material.begin();
  std::copy_n(at, kNameSize, key.name.begin());
  std::copy_n(at + kNameSize, key.cipher.size(), key.cipher.begin());
  std::copy_n(at + kNameSize + key.cipher.size(), key.mac.size(), key.mac.begin());
  OPENSSL_cleanse(material.data(), material.size());
  return key;
}

SessionTicketKeys::Key SessionTicketKeys::sealing(std::chrono::system_clock::time_point now) const {
  return key_of(period_of(now));
}

std::optional<SessionTicketKeys::Opening> SessionTicketKeys::opening(
    std::span<const unsigned char, kNameSize> name,
    std::chrono::system_clock::time_point now) const {
  const std::int64_t current = period_of(now);
  for (const std::int64_t period : {current, current - 1, current + 1}) {
    Key key = key_of(period);
    if (CRYPTO_memcmp(key.name.data(), name.data(), kNameSize) == 0)
      return Opening{key, period != current};
  }
  return std::nullopt;
}

}  // namespace common::http
