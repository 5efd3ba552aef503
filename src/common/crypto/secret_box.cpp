#include "common/crypto/secret_box.hpp"

#include "common/crypto/base64.hpp"
#include "common/crypto/detail/sodium.hpp"
#include "common/crypto/random_bytes.hpp"

namespace common::crypto {
namespace {

static_assert(SecretBox::kNonceSize == crypto_secretbox_NONCEBYTES);
static_assert(SecretBox::kTagSize == crypto_secretbox_MACBYTES);
static_assert(MasterKey::kSize == crypto_secretbox_KEYBYTES);

constexpr std::size_t kIdAt = 1;
constexpr std::size_t kNonceAt = kIdAt + MasterKey::kIdSize;
constexpr std::size_t kBoxAt = kNonceAt + SecretBox::kNonceSize;

const unsigned char* bytes_of(std::string_view text) {
  return reinterpret_cast<const unsigned char*>(text.data());
}

}  // namespace

SecretBox::SecretBox(MasterKey current, std::vector<MasterKey> retired) {
  keys_.reserve(retired.size() + 1);
  keys_.push_back(std::move(current));
  for (auto& key : retired) keys_.push_back(std::move(key));
}

std::string SecretBox::seal(std::string_view plaintext) const {
  detail::sodium_ready();
  const MasterKey& key = current();
  std::string sealed(kOverhead + plaintext.size(), '\0');
  sealed[0] = static_cast<char>(kVersion);
  sealed.replace(kIdAt, MasterKey::kIdSize, key.id());
  sealed.replace(kNonceAt, kNonceSize, random_bytes(kNonceSize));
  auto* out = reinterpret_cast<unsigned char*>(sealed.data());
  crypto_secretbox_easy(out + kBoxAt, bytes_of(plaintext), plaintext.size(), out + kNonceAt,
                        key.bytes().data());
  return sealed;
}

Result<std::string> SecretBox::open(std::string_view sealed) const {
  if (sealed.empty()) return fail(ErrorCode::kCorruption, "sealed secret is empty");
  if (static_cast<std::uint8_t>(sealed[0]) != kVersion)
    return fail(ErrorCode::kCorruption, "sealed secret has an unknown format version",
                std::to_string(static_cast<std::uint8_t>(sealed[0])));
  if (sealed.size() < kOverhead) return fail(ErrorCode::kCorruption, "sealed secret is truncated");
  const std::string_view id = sealed.substr(kIdAt, MasterKey::kIdSize);
  const MasterKey* key = nullptr;
  for (const auto& candidate : keys_)
    if (candidate.id() == id) key = &candidate;
  if (key == nullptr)
    return fail(ErrorCode::kPermissionDenied,
                "sealed secret was sealed by a master key this process does not hold",
                "key id " + hex_encode(id));
  detail::sodium_ready();
  std::string plaintext(sealed.size() - kOverhead, '\0');
  const auto* in = bytes_of(sealed);
  if (crypto_secretbox_open_easy(reinterpret_cast<unsigned char*>(plaintext.data()), in + kBoxAt,
                                 sealed.size() - kBoxAt, in + kNonceAt, key->bytes().data()) != 0)
    return fail(ErrorCode::kCorruption,
                "sealed secret fails authentication: damaged or tampered with",
                "key id " + key->id_hex());
  return plaintext;
}

bool SecretBox::sealed_with_current(std::string_view sealed) const noexcept {
  return sealed.size() >= kOverhead && static_cast<std::uint8_t>(sealed[0]) == kVersion &&
         sealed.substr(kIdAt, MasterKey::kIdSize) == current().id();
}

}  // namespace common::crypto
