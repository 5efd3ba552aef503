#include "common/nats/nkey.hpp"

#include <sodium.h>

#include <cassert>
#include <cstdint>
#include <optional>

#include "common/crypto/detail/sodium.hpp"
#include "common/nats/detail/nkey_codec.hpp"

namespace common::nats {
namespace {

constexpr std::size_t kSeedSize = crypto_sign_SEEDBYTES;
constexpr std::size_t kPublicSize = crypto_sign_PUBLICKEYBYTES;
static_assert(Nkey::kSignatureSize == crypto_sign_BYTES);

std::uint8_t prefix_of(NkeyType type) noexcept {
  switch (type) {
    case NkeyType::kOperator:
      return detail::kPrefixOperator;
    case NkeyType::kAccount:
      return detail::kPrefixAccount;
    case NkeyType::kUser:
      return detail::kPrefixUser;
    case NkeyType::kServer:
      return detail::kPrefixServer;
  }
  return detail::kPrefixUser;  // unreachable: every enumerator is handled above
}

std::optional<NkeyType> type_of(std::uint8_t prefix) noexcept {
  for (const NkeyType type :
       {NkeyType::kOperator, NkeyType::kAccount, NkeyType::kUser, NkeyType::kServer}) {
    if (prefix_of(type) == prefix) return type;
  }
  return std::nullopt;
}

const unsigned char* bytes_of(std::string_view s) noexcept {
  return reinterpret_cast<const unsigned char*>(s.data());
}

// Wipes a decoded seed however the function that holds it returns.
struct WipeOnExit {
  std::string& bytes;
  ~WipeOnExit() { sodium_memzero(bytes.data(), bytes.size()); }
};

// An encoded public key taken apart: its type and the raw 32-byte Ed25519 key.
struct DecodedPublicKey {
  NkeyType type;
  std::string raw;
};

Result<DecodedPublicKey> decode_public_key(std::string_view public_key) {
  auto raw = detail::decode_checked(public_key);
  if (!raw) {
    return fail(ErrorCode::kInvalidArgument, "invalid nkey public key: " + raw.error().message());
  }
  const auto type = type_of(static_cast<std::uint8_t>((*raw)[0]));
  if (!type) {
    return fail(ErrorCode::kInvalidArgument,
                "invalid nkey public key: not an operator, account, user or server key");
  }
  if (raw->size() != 1 + kPublicSize) {
    return fail(ErrorCode::kInvalidArgument, "invalid nkey public key: wrong length");
  }
  return DecodedPublicKey{*type, raw->substr(1)};
}

}  // namespace

struct Nkey::Secret {
  std::array<unsigned char, crypto_sign_SECRETKEYBYTES> key;  // seed ‖ public key
};

void Nkey::SecretDeleter::operator()(Secret* secret) const noexcept {
  sodium_memzero(secret->key.data(), secret->key.size());
  delete secret;
}

Nkey::Nkey(NkeyType type, SecretPtr secret) : type_(type), secret_(std::move(secret)) {
  const std::string_view public_raw(reinterpret_cast<const char*>(secret_->key.data()) + kSeedSize,
                                    kPublicSize);
  public_key_ =
      detail::encode_checked(std::string(1, static_cast<char>(prefix_of(type))), public_raw);
}

Nkey Nkey::generate(NkeyType type) {
  crypto::detail::sodium_ready();
  SecretPtr secret(new Secret);
  std::array<unsigned char, kPublicSize> public_raw{};
  crypto_sign_keypair(public_raw.data(), secret->key.data());
  return Nkey(type, std::move(secret));
}

Result<Nkey> Nkey::from_seed(std::string_view seed) {
  crypto::detail::sodium_ready();
  auto raw = detail::decode_checked(seed);
  if (!raw) return fail(ErrorCode::kInvalidArgument, "invalid nkey seed: " + raw.error().message());
  WipeOnExit wipe{*raw};
  // Byte 0 holds the seed prefix in its top five bits and the key type's top three bits
  // below them; byte 1 holds the type's low five bits in its top five (strkey.go EncodeSeed).
  const auto b0 = static_cast<std::uint8_t>((*raw)[0]);
  const auto b1 = static_cast<std::uint8_t>((*raw)[1]);
  if ((b0 & 0xF8) != detail::kPrefixSeed) {
    return fail(ErrorCode::kInvalidArgument, "invalid nkey seed: not a seed (no 'S' prefix)");
  }
  const auto type = type_of(static_cast<std::uint8_t>((b0 & 0x07) << 5 | (b1 & 0xF8) >> 3));
  if (!type) {
    return fail(ErrorCode::kInvalidArgument,
                "invalid nkey seed: not an operator, account, user or server seed");
  }
  if (raw->size() != 2 + kSeedSize) {
    return fail(ErrorCode::kInvalidArgument, "invalid nkey seed: wrong length");
  }
  SecretPtr secret(new Secret);
  std::array<unsigned char, kPublicSize> public_raw{};
  crypto_sign_seed_keypair(public_raw.data(), secret->key.data(), bytes_of(*raw) + 2);
  return Nkey(*type, std::move(secret));
}

std::string Nkey::seed() const {
  assert(secret_ && "use of a moved-from Nkey");
  const std::uint8_t type_prefix = prefix_of(type_);
  std::string prefix;
  prefix.push_back(static_cast<char>(detail::kPrefixSeed | type_prefix >> 5));
  prefix.push_back(static_cast<char>((type_prefix & 31) << 3));
  std::string raw(reinterpret_cast<const char*>(secret_->key.data()), kSeedSize);
  WipeOnExit wipe{raw};
  return detail::encode_checked(prefix, raw);
}

std::string Nkey::sign(std::string_view data) const {
  assert(secret_ && "use of a moved-from Nkey");
  std::string signature(kSignatureSize, '\0');
  crypto_sign_detached(reinterpret_cast<unsigned char*>(signature.data()), nullptr, bytes_of(data),
                       data.size(), secret_->key.data());
  return signature;
}

Status Nkey::verify(std::string_view public_key, std::string_view data,
                    std::string_view signature) {
  crypto::detail::sodium_ready();
  auto decoded = decode_public_key(public_key);
  if (!decoded) return fail(decoded.error());
  if (signature.size() != kSignatureSize ||
      crypto_sign_verify_detached(bytes_of(signature), bytes_of(data), data.size(),
                                  bytes_of(decoded->raw)) != 0) {
    return fail(ErrorCode::kUnauthenticated, "nkey signature does not match");
  }
  return {};
}

Result<NkeyType> public_key_type(std::string_view public_key) {
  auto decoded = decode_public_key(public_key);
  if (!decoded) return fail(decoded.error());
  return decoded->type;
}

std::string_view to_string(NkeyType type) noexcept {
  switch (type) {
    case NkeyType::kOperator:
      return "operator";
    case NkeyType::kAccount:
      return "account";
    case NkeyType::kUser:
      return "user";
    case NkeyType::kServer:
      return "server";
  }
  return "unknown";
}

}  // namespace common::nats
