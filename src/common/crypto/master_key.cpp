#include "common/crypto/master_key.hpp"

#include <algorithm>
#include <cctype>

#include "common/crypto/base64.hpp"
#include "common/crypto/detail/sodium.hpp"
#include "common/crypto/random_bytes.hpp"
#include "common/fs/secret_file.hpp"

namespace common::crypto {
namespace {

// What a key id is a MAC of. Changing it changes every key's id: never do.
constexpr std::string_view kIdLabel = "harbor-satellite master key id v1";

// Wipes a string that held key material.
void wipe(std::string& secret) {
  sodium_memzero(secret.data(), secret.size());
  secret.clear();
}

std::string_view trimmed(std::string_view text) {
  const auto space = [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; };
  while (!text.empty() && space(text.front())) text.remove_prefix(1);
  while (!text.empty() && space(text.back())) text.remove_suffix(1);
  return text;
}

}  // namespace

MasterKey::MasterKey(const unsigned char* bytes) {
  detail::sodium_ready();
  std::copy(bytes, bytes + kSize, key_.begin());
  unsigned char mac[crypto_generichash_BYTES_MIN];
  crypto_generichash(mac, sizeof mac, reinterpret_cast<const unsigned char*>(kIdLabel.data()),
                     kIdLabel.size(), key_.data(), key_.size());
  std::copy(mac, mac + kIdSize, id_.begin());
}

MasterKey::MasterKey(MasterKey&& other) noexcept : key_(other.key_), id_(other.id_) {
  sodium_memzero(other.key_.data(), other.key_.size());
}

MasterKey& MasterKey::operator=(MasterKey&& other) noexcept {
  if (this != &other) {
    key_ = other.key_;
    id_ = other.id_;
    sodium_memzero(other.key_.data(), other.key_.size());
  }
  return *this;
}

MasterKey::~MasterKey() {
  sodium_memzero(key_.data(), key_.size());
}

MasterKey MasterKey::generate() {
  std::string bytes = random_bytes(kSize);
  MasterKey key(reinterpret_cast<const unsigned char*>(bytes.data()));
  wipe(bytes);
  return key;
}

Result<MasterKey> MasterKey::from_bytes(std::string_view bytes) {
  if (bytes.size() != kSize)
    return fail(ErrorCode::kInvalidArgument, "a master key is 32 bytes",
                std::to_string(bytes.size()) + " given");
  return MasterKey(reinterpret_cast<const unsigned char*>(bytes.data()));
}

Result<MasterKey> MasterKey::from_base64(std::string_view text) {
  text = trimmed(text);
  auto bytes = base64_decode(text);
  if (!bytes) bytes = base64url_decode(text.substr(0, text.find_last_not_of('=') + 1));
  if (!bytes || bytes->size() != kSize) {
    if (bytes) wipe(*bytes);
    return fail(ErrorCode::kInvalidArgument,
                "a master key is base64 of 32 random bytes (openssl rand -base64 32)");
  }
  auto key = from_bytes(*bytes);
  wipe(*bytes);
  return key;
}

Result<MasterKey> MasterKey::load_file(const std::string& path, fs::FileSystem& fs) {
  auto text = fs::read_secret_file(path, kMaxFileBytes, fs);
  if (!text) return fail(text.error());
  auto key = from_base64(*text);
  wipe(*text);
  if (!key) return fail(key.error().code(), "master key file: " + key.error().message(), path);
  return key;
}

Result<MasterKey> MasterKey::create_file(const std::string& path, fs::FileSystem& fs) {
  if (auto exists = fs.stat(path); exists)
    return fail(ErrorCode::kAlreadyExists, "master key file exists; it is never replaced", path);
  else if (exists.error().code() != ErrorCode::kNotFound)
    return fail(exists.error());
  MasterKey key = generate();
  std::string text = key.to_base64() + "\n";
  auto written = fs::write_secret_file(path, text, fs);
  wipe(text);
  if (!written) return fail(written.error());
  return key;
}

Result<MasterKey> MasterKey::load_or_create_file(const std::string& path, fs::FileSystem& fs) {
  auto key = load_file(path, fs);
  if (key || key.error().code() != ErrorCode::kNotFound) return key;
  return create_file(path, fs);
}

std::string_view MasterKey::id() const noexcept {
  return std::string_view(id_.data(), id_.size());
}

std::string MasterKey::id_hex() const {
  return hex_encode(id());
}

std::string MasterKey::to_base64() const {
  return base64_encode(std::string_view(reinterpret_cast<const char*>(key_.data()), key_.size()));
}

}  // namespace common::crypto
