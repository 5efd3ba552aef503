#include "registry/http/htpasswd_auth.hpp"

#include <crypt.h>
#include <gtest/gtest.h>
#include <sodium.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>

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

std::string bcrypt_hash(const char* password) {
  char salt[64];
  crypt_gensalt_rn("$2b$", 4, nullptr, 0, salt, sizeof salt);
  crypt_data data{};
  return crypt_rn(password, salt, &data, sizeof data);
}

std::string argon2id_hash(const char* password) {
  char out[crypto_pwhash_STRBYTES];
  EXPECT_EQ(crypto_pwhash_str_alg(out, password, std::strlen(password), crypto_pwhash_OPSLIMIT_MIN,
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
  EXPECT_EQ(auth->check_cached(basic("mallory:x")), false);
  EXPECT_FALSE(auth->verify("Basic !!!notbase64"));
  EXPECT_FALSE(auth->verify("Bearer abc"));
  EXPECT_FALSE(auth->verify(""));
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
