#include "registry/http/htpasswd_auth.hpp"

#include <crypt.h>
#include <openssl/crypto.h>
#include <sodium.h>

#include <cstring>
#include <sstream>

#include "common/crypto/hasher.hpp"
#include "common/fs/file_ops.hpp"

namespace registry::http {

using common::ErrorCode;
using common::fail;

namespace {

constexpr std::size_t kMaxCachedCredentials = 4096;

bool is_bcrypt(std::string_view hash) {
  return hash.starts_with("$2y$") || hash.starts_with("$2b$") || hash.starts_with("$2a$");
}

bool is_argon2id(std::string_view hash) {
  return hash.starts_with("$argon2id$");
}

}  // namespace

common::Result<std::unique_ptr<HtpasswdAuth>> HtpasswdAuth::load(const std::string& path) {
  if (sodium_init() < 0) return fail(ErrorCode::kInternal, "libsodium failed to initialise");
  auto text = common::fs::read_file(path);
  if (!text) return fail(ErrorCode::kInvalidArgument, "cannot read htpasswd file", path);
  std::unique_ptr<HtpasswdAuth> auth(new HtpasswdAuth());
  std::istringstream lines(*text);
  std::string line;
  int number = 0;
  while (std::getline(lines, line)) {
    ++number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty() || line.front() == '#') continue;
    const auto colon = line.find(':');
    if (colon == std::string::npos || colon == 0) {
      return fail(ErrorCode::kInvalidArgument, "malformed htpasswd line",
                  path + ":" + std::to_string(number));
    }
    auto hash = line.substr(colon + 1);
    if (!is_bcrypt(hash) && !is_argon2id(hash)) {
      return fail(ErrorCode::kInvalidArgument,
                  "htpasswd entries must use bcrypt (htpasswd -B) or argon2id",
                  path + ":" + std::to_string(number));
    }
    auth->hashes_.emplace(line.substr(0, colon), std::move(hash));
  }
  return auth;
}

std::optional<HtpasswdAuth::Credentials> HtpasswdAuth::decode(std::string_view authorization) {
  if (authorization.size() < 7 ||
      !(authorization.starts_with("Basic ") || authorization.starts_with("basic "))) {
    return std::nullopt;
  }
  const auto encoded = authorization.substr(6);
  std::string decoded(encoded.size(), '\0');
  std::size_t length = 0;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(decoded.data()), decoded.size(),
                        encoded.data(), encoded.size(), nullptr, &length, nullptr,
                        sodium_base64_VARIANT_ORIGINAL) != 0) {
    return std::nullopt;
  }
  decoded.resize(length);
  const auto colon = decoded.find(':');
  if (colon == std::string::npos) return std::nullopt;
  return Credentials{decoded.substr(0, colon), decoded.substr(colon + 1)};
}

std::string HtpasswdAuth::cache_key(const Credentials& credentials) {
  common::crypto::Hasher hasher(common::DigestAlgorithm::kSha256);
  hasher.update(credentials.user);
  hasher.update(std::string_view("\0", 1));
  hasher.update(credentials.password);
  return hasher.digest().hex();
}

std::optional<bool> HtpasswdAuth::check_cached(std::string_view authorization) const {
  auto credentials = decode(authorization);
  if (!credentials || !hashes_.contains(credentials->user)) return false;
  const auto key = cache_key(*credentials);
  std::lock_guard lock(mutex_);
  if (verified_.contains(key)) return true;
  return std::nullopt;
}

bool HtpasswdAuth::verify(std::string_view authorization) {
  auto credentials = decode(authorization);
  if (!credentials) return false;
  const auto it = hashes_.find(credentials->user);
  if (it == hashes_.end()) return false;
  const std::string& hash = it->second;
  bool ok = false;
  if (is_argon2id(hash)) {
    ok = crypto_pwhash_str_verify(hash.c_str(), credentials->password.data(),
                                  credentials->password.size()) == 0;
  } else {
    auto data = std::make_unique<crypt_data>();
    const char* computed =
        crypt_rn(credentials->password.c_str(), hash.c_str(), data.get(), sizeof(crypt_data));
    ok = computed != nullptr && std::strlen(computed) == hash.size() &&
         CRYPTO_memcmp(computed, hash.data(), hash.size()) == 0;
  }
  if (ok) {
    std::lock_guard lock(mutex_);
    if (verified_.size() >= kMaxCachedCredentials) verified_.clear();
    verified_.insert(cache_key(*credentials));
  }
  return ok;
}

}  // namespace registry::http
