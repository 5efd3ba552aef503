#include "common/crypto/secret_box.hpp"

#include <gtest/gtest.h>

namespace common::crypto {
namespace {

MasterKey key_of(char fill) {
  return MasterKey::from_bytes(std::string(MasterKey::kSize, fill)).value();
}

TEST(SecretBoxTest, OpensWhatItSealed) {
  SecretBox box(MasterKey::generate());
  for (const std::string& plaintext :
       {std::string(), std::string("ca private key"), std::string(100000, '\0')}) {
    const auto sealed = box.seal(plaintext);
    EXPECT_EQ(sealed.size(), plaintext.size() + SecretBox::kOverhead);
    EXPECT_EQ(box.open(sealed), plaintext);
  }
}

TEST(SecretBoxTest, LayoutIsVersionKeyIdNonceBox) {
  SecretBox box(key_of('k'));
  const auto a = box.seal("secret");
  const auto b = box.seal("secret");
  EXPECT_EQ(a[0], '\x01');
  EXPECT_EQ(a.substr(1, 8), box.current().id());
  // A fresh nonce each time: equal plaintexts never give equal boxes.
  EXPECT_NE(a.substr(9, 24), b.substr(9, 24));
  EXPECT_NE(a.substr(33), b.substr(33));
  EXPECT_EQ(a.find("secret"), std::string::npos);
}

TEST(SecretBoxTest, AnyFlippedBitIsCorruptionNeverGarbage) {
  SecretBox box(key_of('k'));
  const auto sealed = box.seal("the CA key");
  // Every byte after the key id: nonce, tag, ciphertext.
  for (std::size_t i = 9; i < sealed.size(); ++i) {
    std::string tampered = sealed;
    tampered[i] = static_cast<char>(tampered[i] ^ 0x01);
    auto opened = box.open(tampered);
    ASSERT_FALSE(opened) << "byte " << i;
    EXPECT_EQ(opened.error().code(), ErrorCode::kCorruption) << "byte " << i;
  }
}

TEST(SecretBoxTest, MalformedInputIsCorruption) {
  SecretBox box(key_of('k'));
  const auto sealed = box.seal("x");
  EXPECT_EQ(box.open("").error().code(), ErrorCode::kCorruption);
  EXPECT_EQ(box.open(sealed.substr(0, SecretBox::kOverhead - 1)).error().code(),
            ErrorCode::kCorruption);
  std::string version2 = sealed;
  version2[0] = '\x02';
  EXPECT_EQ(box.open(version2).error().code(), ErrorCode::kCorruption);
}

TEST(SecretBoxTest, TheWrongKeyIsPermissionDeniedAndNamesTheKey) {
  SecretBox sealer(key_of('a'));
  SecretBox other(key_of('b'));
  const auto sealed = sealer.seal("secret");
  auto opened = other.open(sealed);
  ASSERT_FALSE(opened);
  EXPECT_EQ(opened.error().code(), ErrorCode::kPermissionDenied);
  EXPECT_NE(opened.error().detail().find(sealer.current().id_hex()), std::string::npos)
      << opened.error().detail();
  // A box claiming the other key's id still fails authentication: no garbage either way.
  std::string forged = sealed;
  forged.replace(1, 8, other.current().id());
  EXPECT_EQ(other.open(forged).error().code(), ErrorCode::kCorruption);
}

TEST(SecretBoxTest, RotationOpensOldSecretsAndSealsWithTheNewKey) {
  const auto old_sealed = SecretBox(key_of('o')).seal("old secret");
  SecretBox rotated(key_of('n'), [] {
    std::vector<MasterKey> retired;
    retired.push_back(key_of('o'));
    return retired;
  }());
  EXPECT_EQ(rotated.open(old_sealed), "old secret");
  EXPECT_FALSE(rotated.sealed_with_current(old_sealed));
  const auto resealed = rotated.seal(rotated.open(old_sealed).value());
  EXPECT_TRUE(rotated.sealed_with_current(resealed));
  EXPECT_EQ(resealed.substr(1, 8), key_of('n').id());
  // Once the old key is dropped, what it sealed is refused, what was resealed opens.
  SecretBox new_only(key_of('n'));
  EXPECT_EQ(new_only.open(old_sealed).error().code(), ErrorCode::kPermissionDenied);
  EXPECT_EQ(new_only.open(resealed), "old secret");
  EXPECT_FALSE(new_only.sealed_with_current("short"));
}

}  // namespace
}  // namespace common::crypto
