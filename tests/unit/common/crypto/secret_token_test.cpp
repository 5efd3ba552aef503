#include "common/crypto/secret_token.hpp"

#include <gtest/gtest.h>

#include <set>

#include "common/crypto/base64.hpp"
#include "common/crypto/constant_time.hpp"

namespace common::crypto {
namespace {

TEST(SecretTokenTest, IsThePrefixAndBase64urlOf32RandomBytes) {
  auto token = SecretToken::generate("gcenroll");
  ASSERT_TRUE(token) << token.error().message();
  const std::string& text = token->reveal();
  EXPECT_EQ(token->prefix(), "gcenroll");
  ASSERT_TRUE(text.starts_with("gcenroll_"));
  EXPECT_EQ(text.size(), 9u + 43u);
  auto random = base64url_decode(std::string_view(text).substr(9));
  ASSERT_TRUE(random);
  EXPECT_EQ(random->size(), 32u);
}

TEST(SecretTokenTest, EveryTokenIsNew) {
  // 1000 tokens: all distinct, and every one of the 64 symbols of the alphabet shows up in
  // their random parts (a stuck bit or a short random source would not get there).
  std::set<std::string> seen;
  std::set<char> symbols;
  for (int i = 0; i < 1000; ++i) {
    auto token = SecretToken::generate("t");
    ASSERT_TRUE(token);
    seen.insert(token->reveal());
    for (char c : token->reveal().substr(2, 42)) symbols.insert(c);
  }
  EXPECT_EQ(seen.size(), 1000u);
  EXPECT_EQ(symbols.size(), 64u);
}

TEST(SecretTokenTest, RefusesAMalformedPrefix) {
  for (const char* bad : {"", "Upper", "has_underscore", "has-dash", "seventeen-chars-x"})
    EXPECT_EQ(SecretToken::generate(bad).error().code(), ErrorCode::kInvalidArgument) << bad;
}

TEST(SecretTokenTest, ParseAcceptsOnlyAWellFormedTokenOfItsType) {
  const auto token = SecretToken::generate("gcenroll").value();
  auto parsed = SecretToken::parse(token.reveal(), "gcenroll");
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->reveal(), token.reveal());
  EXPECT_EQ(parsed->digest(), token.digest());

  const std::string text = token.reveal();
  EXPECT_FALSE(SecretToken::parse(text, "gcapi"));                            // another type
  EXPECT_FALSE(SecretToken::parse(text.substr(0, 40), "gcenroll"));           // truncated
  EXPECT_FALSE(SecretToken::parse(text + "A", "gcenroll"));                   // too long
  EXPECT_FALSE(SecretToken::parse("gcenroll" + text.substr(9), "gcenroll"));  // no '_'
  std::string bad_char = text;
  bad_char[20] = '+';
  EXPECT_FALSE(SecretToken::parse(bad_char, "gcenroll"));
  // The error never quotes the presented text.
  auto refused = SecretToken::parse(text, "gcapi");
  EXPECT_EQ(refused.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(refused.error().message().find(text.substr(9)), std::string::npos);
  EXPECT_EQ(refused.error().detail().find(text.substr(9)), std::string::npos);
}

TEST(SecretTokenTest, DigestIsSha256Hex) {
  EXPECT_EQ(token_digest("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  const auto token = SecretToken::generate("gcenroll").value();
  EXPECT_EQ(token.digest(), token_digest(token.reveal()));
  EXPECT_EQ(token.digest().size(), 64u);
  EXPECT_TRUE(token_matches(token.reveal(), token.digest()));
  EXPECT_FALSE(token_matches(token.reveal() + "x", token.digest()));
  EXPECT_FALSE(token_matches(token.reveal(), token.digest().substr(1)));
}

TEST(ConstantTimeTest, ComparesBytesAndLengths) {
  EXPECT_TRUE(constant_time_equal("", ""));
  EXPECT_TRUE(constant_time_equal("abc", "abc"));
  EXPECT_FALSE(constant_time_equal("abc", "abd"));
  EXPECT_FALSE(constant_time_equal("abc", "ab"));
  EXPECT_TRUE(constant_time_equal(std::string_view("a\0b", 3), std::string_view("a\0b", 3)));
  EXPECT_FALSE(constant_time_equal(std::string_view("a\0b", 3), std::string_view("a\0c", 3)));
}

}  // namespace
}  // namespace common::crypto
