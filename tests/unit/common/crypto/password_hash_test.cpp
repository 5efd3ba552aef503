// argon2id at libsodium's MIN cost, so the suite stays fast; one test pays the default
// (INTERACTIVE) cost once to prove the defaults are what they claim.
#include "common/crypto/password_hash.hpp"

#include <gtest/gtest.h>

namespace common::crypto {
namespace {

constexpr PasswordHashParams kFast = PasswordHashParams::minimum();

TEST(PasswordHashTest, VerifiesTheRightPasswordOnly) {
  auto stored = hash_password("correct horse", kFast);
  ASSERT_TRUE(stored) << stored.error().message();
  EXPECT_TRUE(stored->starts_with("$argon2id$v=19$m=8,t=1,p=1$")) << *stored;
  EXPECT_TRUE(verify_password(*stored, "correct horse"));
  EXPECT_FALSE(verify_password(*stored, "correct horsf"));
  EXPECT_FALSE(verify_password(*stored, "correct horse "));
  EXPECT_FALSE(verify_password(*stored, ""));
}

TEST(PasswordHashTest, SaltsEveryHash) {
  EXPECT_NE(hash_password("same", kFast).value(), hash_password("same", kFast).value());
}

TEST(PasswordHashTest, PasswordsWithNulAreWholeBytes) {
  const std::string with_nul("ab\0cd", 5);
  const auto stored = hash_password(with_nul, kFast).value();
  EXPECT_TRUE(verify_password(stored, with_nul));
  EXPECT_FALSE(verify_password(stored, "ab"));
}

TEST(PasswordHashTest, RefusesBadInput) {
  EXPECT_EQ(hash_password("", kFast).error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(hash_password(std::string(kMaxPasswordBytes + 1, 'x'), kFast).error().code(),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(hash_password("pw", {0, 8192}).error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(hash_password("pw", {1, 1024}).error().code(), ErrorCode::kInvalidArgument);
  for (const char* malformed : {"", "$argon2id$", "plaintext", "$2y$05$abcdefghijklmnopqrstuv"})
    EXPECT_FALSE(verify_password(malformed, "pw")) << malformed;
  EXPECT_FALSE(verify_password(std::string("$argon2id\0", 10), "pw"));
}

TEST(PasswordHashTest, NeedsRehashWhenTheCostChanged) {
  const auto cheap = hash_password("pw", kFast).value();
  EXPECT_FALSE(password_needs_rehash(cheap, kFast));
  EXPECT_TRUE(password_needs_rehash(cheap, PasswordHashParams{}));
  EXPECT_TRUE(password_needs_rehash(cheap, {2, 8192}));
  EXPECT_TRUE(password_needs_rehash("garbage", kFast));
  // argon2i with the same cost is not argon2id.
  EXPECT_TRUE(password_needs_rehash("$argon2i$v=19$m=8,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2g", kFast));
}

TEST(PasswordHashTest, DefaultsAreLibsodiumInteractive) {
  const auto stored = hash_password("pw").value();
  EXPECT_TRUE(stored.starts_with("$argon2id$v=19$m=65536,t=2,p=1$")) << stored;
  EXPECT_FALSE(password_needs_rehash(stored));
  EXPECT_TRUE(verify_password(stored, "pw"));
}

}  // namespace
}  // namespace common::crypto
