#include "common/crypto/key_pair.hpp"

#include <gtest/gtest.h>
#include <openssl/ec.h>
#include <openssl/pem.h>
#include <sys/stat.h>

#include <fstream>

#include "testutil/temp_dir.hpp"

namespace common::crypto {
namespace {

TEST(KeyPairTest, GeneratesAP256Key) {
  auto key = KeyPair::generate_p256();
  ASSERT_TRUE(key) << key.error().message();
  EXPECT_EQ(EVP_PKEY_get_base_id(key->native()), EVP_PKEY_EC);
  char group[64] = {};
  ASSERT_EQ(EVP_PKEY_get_group_name(key->native(), group, sizeof group, nullptr), 1);
  EXPECT_STREQ(group, "prime256v1");
  EXPECT_NE(KeyPair::generate_p256()->public_key_pem().value(), key->public_key_pem().value());
}

TEST(KeyPairTest, PemRoundTrip) {
  const auto key = KeyPair::generate_p256().value();
  const auto pem = key.private_key_pem().value();
  EXPECT_TRUE(pem.starts_with("-----BEGIN PRIVATE KEY-----\n")) << pem;
  auto again = KeyPair::from_pem(pem);
  ASSERT_TRUE(again) << again.error().message();
  EXPECT_EQ(EVP_PKEY_eq(again->native(), key.native()), 1);
  EXPECT_EQ(again->public_key_pem().value(), key.public_key_pem().value());
  EXPECT_TRUE(key.public_key_pem()->starts_with("-----BEGIN PUBLIC KEY-----\n"));
}

TEST(KeyPairTest, Pkcs8DerRoundTrip) {
  const auto key = KeyPair::generate_p256().value();
  const auto der = key.private_key_der().value();
  EXPECT_EQ(der[0], '\x30');  // a DER SEQUENCE
  auto again = KeyPair::from_pkcs8_der(der);
  ASSERT_TRUE(again) << again.error().message();
  EXPECT_EQ(EVP_PKEY_eq(again->native(), key.native()), 1);
  for (const std::string& bad :
       {std::string(), std::string("garbage"), der + "x", der.substr(0, der.size() - 1)}) {
    auto loaded = KeyPair::from_pkcs8_der(bad);
    ASSERT_FALSE(loaded);
    EXPECT_EQ(loaded.error().code(), ErrorCode::kInvalidArgument);
  }
}

TEST(KeyPairTest, FromPemRefusesWhatIsNotAnUnencryptedKey) {
  const auto key = KeyPair::generate_p256().value();
  for (const std::string& bad :
       {std::string(), std::string("garbage"), key.public_key_pem().value(),
        std::string(KeyPair::kMaxPemBytes + 1, 'A')}) {
    auto loaded = KeyPair::from_pem(bad);
    ASSERT_FALSE(loaded);
    EXPECT_EQ(loaded.error().code(), ErrorCode::kInvalidArgument);
  }
  // An encrypted key is refused without asking for a passphrase.
  auto bio = memory_bio();
  ASSERT_EQ(PEM_write_bio_PKCS8PrivateKey(bio.get(), key.native(), EVP_aes_256_cbc(), "pw", 2,
                                          nullptr, nullptr),
            1);
  EXPECT_FALSE(KeyPair::from_pem(bio_contents(bio.get())));
}

TEST(KeyPairTest, PrivateKeyFileIsOwnerOnly) {
  testutil::TempDir dir;
  const auto path = dir.str() + "/device.key";
  const auto key = KeyPair::generate_p256().value();
  ASSERT_TRUE(key.write_private_key_file(path));
  struct stat info {};
  ASSERT_EQ(::stat(path.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
  auto loaded = KeyPair::load_private_key_file(path);
  ASSERT_TRUE(loaded) << loaded.error().message();
  EXPECT_EQ(EVP_PKEY_eq(loaded->native(), key.native()), 1);
  // Replaced atomically by a new key.
  const auto next = KeyPair::generate_p256().value();
  ASSERT_TRUE(next.write_private_key_file(path));
  EXPECT_EQ(EVP_PKEY_eq(KeyPair::load_private_key_file(path)->native(), next.native()), 1);
  // Readable by others: refused.
  ASSERT_EQ(::chmod(path.c_str(), 0644), 0);
  EXPECT_EQ(KeyPair::load_private_key_file(path).error().code(), ErrorCode::kPermissionDenied);
  // Owner-only but not a key: kInvalidArgument naming the file.
  std::ofstream(dir.str() + "/junk.key") << "junk";
  ASSERT_EQ(::chmod((dir.str() + "/junk.key").c_str(), 0600), 0);
  auto junk = KeyPair::load_private_key_file(dir.str() + "/junk.key");
  EXPECT_EQ(junk.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(junk.error().detail(), dir.str() + "/junk.key");
}

}  // namespace
}  // namespace common::crypto
