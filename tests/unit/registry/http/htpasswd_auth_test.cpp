#include "registry/http/htpasswd_auth.hpp"

#include <crypt.h>
#include <gtest/gtest.h>
#include <sodium.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace registry::http {
namespace {

std::string basic(const std::string& user_password) {
  std::string out(sodium_base64_ENCODED_LEN(user_password.size(), sodium_base64_VARIANT_ORIGINAL),
                  '\0');
  sodium_bin2base64(out.data(), out.size(),
                    reinterpret_cast<const unsigned char*>(user_password.data()),
                    user_password.size(), sodium_base64_VARIANT_ORIGINAL);
  out.resize(std::strlen(out.c_str()));
  return "Basic " + out;
}

std::string bcrypt_hash(const std::string& password) {
  char salt[64];
  crypt_gensalt_rn("$2b$", 4, nullptr, 0, salt, sizeof salt);
  crypt_data data{};
  return crypt_rn(password.c_str(), salt, &data, sizeof data);
}

std::string argon2id_hash(const std::string& password) {
  char out[crypto_pwhash_STRBYTES];
  EXPECT_EQ(
      crypto_pwhash_str_alg(out, password.c_str(), password.size(), crypto_pwhash_OPSLIMIT_MIN,
                            crypto_pwhash_MEMLIMIT_MIN, crypto_pwhash_ALG_ARGON2ID13),
      0);
  return out;
}

class HtpasswdAuthTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_GE(sodium_init(), 0);
    path_ = std::filesystem::temp_directory_path() / ("htpasswd_" + std::to_string(::getpid()));
    std::ofstream(path_) << "# users\nalice:" << bcrypt_hash("s3cret")
                         << "\nbob:" << argon2id_hash("hunter2") << "\n";
  }
  void TearDown() override { std::filesystem::remove(path_); }
  std::filesystem::path path_;
};

TEST_F(HtpasswdAuthTest, BcryptAndArgon2idVerify) {
  auto auth = HtpasswdAuth::load(path_.string()).value();
  EXPECT_EQ(auth->check_cached(basic("alice:s3cret")), std::nullopt);  // not yet verified
  EXPECT_TRUE(auth->verify(basic("alice:s3cret")));
  EXPECT_EQ(auth->check_cached(basic("alice:s3cret")), true);  // remembered
  EXPECT_TRUE(auth->verify(basic("bob:hunter2")));
  EXPECT_FALSE(auth->verify(basic("alice:wrong")));
  EXPECT_FALSE(auth->verify(basic("bob:s3cret")));
  EXPECT_FALSE(auth->verify(basic("mallory:s3cret")));
  EXPECT_FALSE(auth->verify("Basic !!!notbase64"));
  EXPECT_FALSE(auth->verify("Bearer abc"));
  EXPECT_FALSE(auth->verify(""));
}

TEST_F(HtpasswdAuthTest, CacheDoesNotTellUnknownUsersApart) {
  auto auth = HtpasswdAuth::load(path_.string()).value();
  // Unknown and known-with-a-wrong-password both need the full check.
  EXPECT_EQ(auth->check_cached(basic("mallory:x")), std::nullopt);
  EXPECT_EQ(auth->check_cached(basic("alice:x")), std::nullopt);
  EXPECT_FALSE(auth->verify(basic("mallory:x")));
  EXPECT_EQ(auth->check_cached(basic("mallory:x")), std::nullopt);
  // No credentials at all: answered at once.
  EXPECT_EQ(auth->check_cached(""), false);
  EXPECT_EQ(auth->check_cached("Basic !!!"), false);
}

TEST_F(HtpasswdAuthTest, RefusesCredentialsWithNul) {
  auto auth = HtpasswdAuth::load(path_.string()).value();
  using namespace std::string_literals;
  EXPECT_FALSE(auth->verify(basic("alice:s3cret\0junk"s)));
  EXPECT_FALSE(auth->verify(basic("alice:s3cret\0"s)));
  EXPECT_FALSE(auth->verify(basic("bob:hunter2\0junk"s)));
  EXPECT_FALSE(auth->verify(basic("alice\0x:s3cret"s)));
  EXPECT_EQ(auth->check_cached(basic("alice:s3cret\0junk"s)), false);
  // ... and still accepts the password itself, whose cache entry the NUL form cannot hit.
  EXPECT_TRUE(auth->verify(basic("alice:s3cret")));
  EXPECT_EQ(auth->check_cached(basic("alice:s3cret\0junk"s)), false);
  // A ':' ends the user name: "alice:x:s3cret" is alice with password "x:s3cret".
  EXPECT_FALSE(auth->verify(basic("alice:x:s3cret")));
}

TEST(HtpasswdParseTest, ParsesTextWithoutAFile) {
  ASSERT_GE(sodium_init(), 0);
  const std::string text = "# comment\r\n\r\nalice:" + bcrypt_hash("s3cret") +
                           "\r\nbob:" + argon2id_hash("hunter2");  // no final newline
  auto auth = HtpasswdAuth::parse(text, "inline").value();
  EXPECT_TRUE(auth->verify(basic("alice:s3cret")));
  EXPECT_TRUE(auth->verify(basic("bob:hunter2")));
  EXPECT_FALSE(auth->verify(basic("carol:s3cret")));
  // An empty file authenticates nobody.
  auto empty = HtpasswdAuth::parse("", "empty").value();
  EXPECT_FALSE(empty->verify(basic("alice:s3cret")));
}

TEST(HtpasswdParseTest, RefusesMalformedEntries) {
  ASSERT_GE(sodium_init(), 0);
  using namespace std::string_literals;
  const auto good = bcrypt_hash("s3cret");
  const std::vector<std::string> bad = {
      "no-colon-here",
      ":" + good,                                               // no user
      "alice:" + good + "\nalice:" + good,                      // duplicate user
      "al\0ice:"s + good,                                       // NUL in the user
      "alice:" + good.substr(0, 30) + "\0"s + good.substr(31),  // NUL in the hash
      "alice:" + good.substr(0, 59),                            // truncated bcrypt
      "alice:$2y$99$" + good.substr(7),                         // cost out of range
      "alice:$2y$1x$" + good.substr(7),                         // cost not a number
      "alice:" + good.substr(0, 20) + "!" + good.substr(21),    // not bcrypt's alphabet
      "alice:$argon2id$v=19$m=65536,t=2,p=1$bm9wZQ",            // argon2id without digest
      "alice:$argon2id$garbage",
      "alice:$apr1$abc$def",  // MD5: too weak
  };
  for (const auto& text : bad) {
    auto parsed = HtpasswdAuth::parse(text, "inline");
    ASSERT_FALSE(parsed.has_value()) << text;
    EXPECT_EQ(parsed.error().code(), common::ErrorCode::kInvalidArgument);
    EXPECT_TRUE(parsed.error().detail().starts_with("inline:")) << parsed.error().detail();
  }
}

TEST_F(HtpasswdAuthTest, RejectsWeakOrMalformedFiles) {
  std::ofstream(path_) << "carol:{SHA}W6ph5Mm5Pz8GgiULbPgzG37mj9g=\n";
  auto weak = HtpasswdAuth::load(path_.string());
  ASSERT_FALSE(weak.has_value());
  EXPECT_EQ(weak.error().code(), common::ErrorCode::kInvalidArgument);
  std::ofstream(path_) << "no-colon-here\n";
  EXPECT_FALSE(HtpasswdAuth::load(path_.string()).has_value());
  EXPECT_FALSE(HtpasswdAuth::load("/nonexistent/htpasswd").has_value());
}

}  // namespace
}  // namespace registry::http
