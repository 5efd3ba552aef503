#include "common/crypto/password_hash.hpp"

#include "common/crypto/detail/sodium.hpp"

namespace common::crypto {
namespace {

static_assert(PasswordHashParams{}.ops_limit == crypto_pwhash_argon2id_OPSLIMIT_INTERACTIVE);
static_assert(PasswordHashParams{}.mem_limit == crypto_pwhash_argon2id_MEMLIMIT_INTERACTIVE);
static_assert(PasswordHashParams::minimum().ops_limit == crypto_pwhash_argon2id_OPSLIMIT_MIN);
static_assert(PasswordHashParams::minimum().mem_limit == crypto_pwhash_argon2id_MEMLIMIT_MIN);

constexpr std::string_view kArgon2idPrefix = "$argon2id$";

bool params_in_range(const PasswordHashParams& params) {
  return params.ops_limit >= crypto_pwhash_argon2id_OPSLIMIT_MIN &&
         params.ops_limit <= crypto_pwhash_argon2id_OPSLIMIT_MAX &&
         params.mem_limit >= crypto_pwhash_argon2id_MEMLIMIT_MIN &&
         params.mem_limit <= crypto_pwhash_argon2id_MEMLIMIT_MAX;
}

// libsodium reads a stored hash as a C string: one with a NUL inside, or longer than any
// hash it writes, is malformed.
bool plausible_hash(std::string_view stored) {
  return !stored.empty() && stored.size() < crypto_pwhash_STRBYTES &&
         stored.find('\0') == std::string_view::npos;
}

}  // namespace

Result<std::string> hash_password(std::string_view password, const PasswordHashParams& params) {
  if (password.empty()) return fail(ErrorCode::kInvalidArgument, "the password is empty");
  if (password.size() > kMaxPasswordBytes)
    return fail(ErrorCode::kInvalidArgument, "the password is longer than 4096 bytes");
  if (!params_in_range(params))
    return fail(ErrorCode::kInvalidArgument, "argon2id limits outside libsodium's range");
  detail::sodium_ready();
  char out[crypto_pwhash_STRBYTES] = {};
  if (crypto_pwhash_str_alg(out, password.data(), password.size(), params.ops_limit,
                            params.mem_limit, crypto_pwhash_ALG_ARGON2ID13) != 0)
    return fail(ErrorCode::kResourceExhausted, "cannot allocate memory for argon2id");
  return std::string(out);
}

bool verify_password(std::string_view stored, std::string_view password) {
  if (!plausible_hash(stored) || password.size() > kMaxPasswordBytes) return false;
  detail::sodium_ready();
  const std::string hash(stored);  // NUL-terminated
  return crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
}

bool password_needs_rehash(std::string_view stored, const PasswordHashParams& params) {
  if (!plausible_hash(stored) || !stored.starts_with(kArgon2idPrefix)) return true;
  detail::sodium_ready();
  const std::string hash(stored);
  return crypto_pwhash_str_needs_rehash(hash.c_str(), params.ops_limit, params.mem_limit) != 0;
}

}  // namespace common::crypto
