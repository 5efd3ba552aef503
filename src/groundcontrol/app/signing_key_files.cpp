#include "groundcontrol/app/signing_key_files.hpp"

#include <fmt/format.h>

#include "common/fs/file_ops.hpp"
#include "common/fs/secret_file.hpp"

namespace groundcontrol::app {
namespace {

using common::ErrorCode;
using common::fail;

constexpr std::size_t kMaxPasswordBytes = 64 * 1024;
constexpr std::size_t kMaxKeyFileBytes = 64 * 1024;

common::Error naming(const std::string& file, const common::Error& error) {
  return common::Error(error.code(), fmt::format("{}: {}", file, error.message()));
}

}  // namespace

common::Result<std::string> read_passphrase(const std::string& password_file, std::string_view flag,
                                            const std::optional<std::string>& env_password) {
  if (password_file.empty()) {
    if (env_password) return *env_password;
    return fail(
        ErrorCode::kInvalidArgument,
        fmt::format("no passphrase: set COSIGN_PASSWORD (empty is allowed) or give {}", flag));
  }
  auto text = common::fs::read_secret_file(password_file, kMaxPasswordBytes);
  if (!text) {
    if (text.error().code() == ErrorCode::kNotFound)
      return fail(ErrorCode::kNotFound, fmt::format("{}: no file {}", flag, password_file));
    return fail(text.error().code(),
                fmt::format("{} {}: {}", flag, password_file, text.error().message()));
  }
  if (text->ends_with('\n')) text->pop_back();
  if (text->ends_with('\r')) text->pop_back();
  return text;
}

common::Result<common::crypto::CosignKey> load_signing_key(
    const std::string& key_file, const std::string& password_file,
    const std::optional<std::string>& env_password) {
  auto secret = read_passphrase(password_file, "--state-signing-password-file", env_password);
  if (!secret) return fail(secret.error());
  auto pem = common::fs::read_secret_file(key_file, kMaxKeyFileBytes);
  if (!pem) return fail(naming(key_file, pem.error()));
  auto key = common::crypto::CosignKey::from_encrypted_pem(*pem, *secret);
  if (!key) return fail(naming(key_file, key.error()));
  return key;
}

common::Result<std::vector<std::string>> read_public_keys(const std::vector<std::string>& files) {
  std::vector<std::string> pems;
  for (const auto& file : files) {
    auto pem = common::fs::read_file(file);
    if (!pem) return fail(naming(file, pem.error()));
    if (auto key = common::crypto::CosignPublicKey::from_pem(*pem); !key)
      return fail(naming(file, key.error()));
    pems.push_back(std::move(*pem));
  }
  return pems;
}

}  // namespace groundcontrol::app
