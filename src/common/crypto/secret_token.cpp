#include "common/crypto/secret_token.hpp"

#include "common/crypto/base64.hpp"
#include "common/crypto/constant_time.hpp"
#include "common/crypto/hasher.hpp"
#include "common/crypto/random_bytes.hpp"

namespace common::crypto {
namespace {

bool valid_prefix(std::string_view prefix) {
  if (prefix.empty() || prefix.size() > SecretToken::kMaxPrefix) return false;
  for (const char c : prefix)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))) return false;
  return true;
}

}  // namespace

Result<SecretToken> SecretToken::generate(std::string_view prefix) {
  if (!valid_prefix(prefix))
    return fail(ErrorCode::kInvalidArgument, "a token prefix is 1-16 of [a-z0-9]",
                std::string(prefix));
  std::string text(prefix);
  text += '_';
  text += base64url_encode(random_bytes(kRandomBytes));
  return SecretToken(std::move(text), prefix.size());
}

Result<SecretToken> SecretToken::parse(std::string_view text, std::string_view prefix) {
  // Messages never quote the presented text: it may be a real token of another kind.
  if (!valid_prefix(prefix) || text.size() <= prefix.size() || !text.starts_with(prefix) ||
      text[prefix.size()] != '_')
    return fail(ErrorCode::kInvalidArgument, "not a token of type " + std::string(prefix));
  auto random = base64url_decode(text.substr(prefix.size() + 1));
  if (!random || random->size() != kRandomBytes)
    return fail(ErrorCode::kInvalidArgument, "malformed " + std::string(prefix) + " token");
  return SecretToken(std::string(text), prefix.size());
}

std::string_view SecretToken::prefix() const noexcept {
  return std::string_view(text_).substr(0, prefix_size_);
}

std::string SecretToken::digest() const {
  return token_digest(text_);
}

std::string token_digest(std::string_view token) {
  return digest_of(token, DigestAlgorithm::kSha256).hex();
}

bool token_matches(std::string_view token, std::string_view stored_digest) {
  return constant_time_equal(token_digest(token), stored_digest);
}

}  // namespace common::crypto
