#include "common/nats/nkey.hpp"

#include <gtest/gtest.h>

#include <string>

#include "common/crypto/base64.hpp"
#include "common/nats/detail/nkey_codec.hpp"

namespace common::nats {
namespace {

// From nats-io/nkeys creds_utils_test.go (credsSeed, and the subject of credsJwt, the JWT the
// same test file pairs it with in its decorated .creds text).
constexpr std::string_view kGoSeed = "SUAOTBNEUHZDFJT3EUMELT7MQTP24JF3XVCXQNDSCU74G5IU6VAJBKH5LI";
constexpr std::string_view kGoUser = "UDE6WTGLTTPCRJRJCKBJRGVNZTLIVR7LEEELR4CYWWWBKJS7XYIKXDUU";

TEST(NkeyCodec, Crc16IsXmodem) {
  // The CRC-16/XMODEM check value.
  EXPECT_EQ(detail::crc16_xmodem("123456789"), 0x31C3);
  EXPECT_EQ(detail::crc16_xmodem(""), 0);
}

TEST(NkeyCodec, Base32MatchesRfc4648WithoutPadding) {
  // RFC 4648 §10 test vectors, '=' removed.
  EXPECT_EQ(detail::base32_encode(""), "");
  EXPECT_EQ(detail::base32_encode("f"), "MY");
  EXPECT_EQ(detail::base32_encode("fo"), "MZXQ");
  EXPECT_EQ(detail::base32_encode("foo"), "MZXW6");
  EXPECT_EQ(detail::base32_encode("foob"), "MZXW6YQ");
  EXPECT_EQ(detail::base32_encode("fooba"), "MZXW6YTB");
  EXPECT_EQ(detail::base32_encode("foobar"), "MZXW6YTBOI");
  for (const std::string s : {"", "f", "fo", "foo", "foob", "fooba", "foobar"}) {
    auto decoded = detail::base32_decode(detail::base32_encode(s));
    ASSERT_TRUE(decoded) << s;
    EXPECT_EQ(*decoded, s);
  }
}

TEST(NkeyCodec, Base32RejectsPaddingLowercaseAndImpossibleLengths) {
  EXPECT_FALSE(detail::base32_decode("MY======"));
  EXPECT_FALSE(detail::base32_decode("my"));
  EXPECT_FALSE(detail::base32_decode("M"));
  EXPECT_FALSE(detail::base32_decode("MZX"));
  EXPECT_FALSE(detail::base32_decode("MZXW6Y"));
}

TEST(Nkey, GoReferenceSeedGivesItsUserPublicKey) {
  auto key = Nkey::from_seed(kGoSeed);
  ASSERT_TRUE(key) << key.error().message();
  EXPECT_EQ(key->type(), NkeyType::kUser);
  EXPECT_EQ(key->public_key(), kGoUser);
  EXPECT_EQ(key->seed(), kGoSeed);
}

TEST(Nkey, GeneratedKeysHaveTheirTypesPrefixes) {
  const struct {
    NkeyType type;
    std::string_view public_prefix;
    std::string_view seed_prefix;
  } cases[] = {{NkeyType::kOperator, "O", "SO"},
               {NkeyType::kAccount, "A", "SA"},
               {NkeyType::kUser, "U", "SU"},
               {NkeyType::kServer, "N", "SN"}};
  for (const auto& c : cases) {
    const Nkey key = Nkey::generate(c.type);
    EXPECT_EQ(key.type(), c.type);
    EXPECT_EQ(key.public_key().size(), 56u);
    EXPECT_TRUE(key.public_key().starts_with(c.public_prefix)) << key.public_key();
    const std::string seed = key.seed();
    EXPECT_EQ(seed.size(), 58u);
    EXPECT_TRUE(seed.starts_with(c.seed_prefix)) << seed;
    auto type = public_key_type(key.public_key());
    ASSERT_TRUE(type);
    EXPECT_EQ(*type, c.type);
  }
}

TEST(Nkey, SeedRoundTripsToTheSameKeyPair) {
  const Nkey key = Nkey::generate(NkeyType::kAccount);
  auto again = Nkey::from_seed(key.seed());
  ASSERT_TRUE(again) << again.error().message();
  EXPECT_EQ(again->type(), NkeyType::kAccount);
  EXPECT_EQ(again->public_key(), key.public_key());
  EXPECT_EQ(again->sign("data"), key.sign("data"));  // Ed25519 is deterministic
}

TEST(Nkey, TwoGeneratedKeysDiffer) {
  EXPECT_NE(Nkey::generate(NkeyType::kUser).public_key(),
            Nkey::generate(NkeyType::kUser).public_key());
}

TEST(Nkey, SignatureVerifiesAndTamperingIsCaught) {
  const Nkey key = Nkey::generate(NkeyType::kUser);
  const std::string signature = key.sign("nonce-123");
  ASSERT_EQ(signature.size(), Nkey::kSignatureSize);
  EXPECT_TRUE(Nkey::verify(key.public_key(), "nonce-123", signature));

  auto wrong_data = Nkey::verify(key.public_key(), "nonce-124", signature);
  ASSERT_FALSE(wrong_data);
  EXPECT_EQ(wrong_data.error().code(), ErrorCode::kUnauthenticated);
  std::string flipped = signature;
  flipped[10] ^= 1;
  EXPECT_FALSE(Nkey::verify(key.public_key(), "nonce-123", flipped));
  EXPECT_FALSE(Nkey::verify(key.public_key(), "nonce-123", signature.substr(1)));
  const Nkey other = Nkey::generate(NkeyType::kUser);
  EXPECT_FALSE(Nkey::verify(other.public_key(), "nonce-123", signature));
}

// A signature made by the Go reference: the signature in nkeys' credsJwt, by its issuer.
// That token is signed the jwt v1 way, over the claims part alone (not "header.claims").
TEST(Nkey, VerifiesASignatureMadeByTheGoReference) {
  const std::string header = "eyJ0eXAiOiJqd3QiLCJhbGciOiJlZDI1NTE5LW5rZXkifQ";
  const std::string claims =
      "eyJqdGkiOiJHVDROVU5NRUY3Wk1XQ1JCWFZWVURLUVQ2WllQWjc3VzRKUlFYRDNMMjRIS1VKRUNRSDdRIiwiaWF0"
      "IjoxNTkwNzgxNTkzLCJpc3MiOiJBQURXTFRISUNWNFNVQUdGNkVLTlZFVzVCQlA3WVJESUJHV0dHSFo1SkJET1FZ"
      "QTdHVUZNNkFRVSIsIm5hbWUiOiJPUEVSQVRPUiIsInN1YiI6IlVERTZXVEdMVFRQQ1JKUkpDS0JKUkdWTlpUTElW"
      "UjdMRUVFTFI0Q1lXV1dCS0pTN1hZSUtYRFVVIiwibmF0cyI6eyJwdWIiOnt9LCJzdWIiOnt9LCJ0eXBlIjoidXNl"
      "ciIsInZlcnNpb24iOjJ9fQ";
  auto signature = crypto::base64url_decode(
      "c_XQT04wEoVVNDRjPHeKwe17BOrSpQTcftwIbB7KoNEIz6peZCJDc4-J3emVepHofUOWy7IAo9TlLwYhuGHWAQ");
  ASSERT_TRUE(signature);
  const std::string issuer = "AADWLTHICV4SUAGF6EKNVEW5BBP7YRDIBGWGGHZ5JBDOQYA7GUFM6AQU";
  EXPECT_TRUE(Nkey::verify(issuer, claims, *signature));
  EXPECT_FALSE(Nkey::verify(issuer, header + "." + claims, *signature));
}

void expect_seed_error(std::string_view seed, std::string_view message_part) {
  auto key = Nkey::from_seed(seed);
  ASSERT_FALSE(key) << seed;
  EXPECT_EQ(key.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(key.error().message().find(message_part), std::string::npos) << key.error().message();
}

TEST(Nkey, FromSeedRejectsBadBase32) {
  expect_seed_error("SUAOTBNEUHZDFJT3EUMELT7MQTP24JF3XVCXQNDSCU74G5IU6VAJBKH5L1", "base32");
  expect_seed_error("suaotbneuhzdfjt3eumelt7mqtp24jf3xvcxqndscu74g5iu6vajbkh5li", "base32");
  expect_seed_error("", "too short");
}

TEST(Nkey, FromSeedRejectsABadChecksum) {
  std::string seed(kGoSeed);
  seed[20] = seed[20] == 'A' ? 'B' : 'A';
  expect_seed_error(seed, "checksum");
}

TEST(Nkey, FromSeedRejectsAPublicKeyAndUnknownTypes) {
  expect_seed_error(kGoUser, "not a seed");
  // A well-formed checked text with the seed prefix and a cluster ('C', 2<<3) type.
  const std::uint8_t cluster = 2 << 3;
  std::string prefix;
  prefix.push_back(static_cast<char>(detail::kPrefixSeed | cluster >> 5));
  prefix.push_back(static_cast<char>((cluster & 31) << 3));
  expect_seed_error(detail::encode_checked(prefix, std::string(32, 'k')), "not an operator");
}

TEST(Nkey, FromSeedRejectsAWrongLength) {
  const std::uint8_t user = detail::kPrefixUser;
  std::string prefix;
  prefix.push_back(static_cast<char>(detail::kPrefixSeed | user >> 5));
  prefix.push_back(static_cast<char>((user & 31) << 3));
  expect_seed_error(detail::encode_checked(prefix, std::string(31, 'k')), "wrong length");
}

TEST(Nkey, PublicKeyTypeRejectsSeedsAndDamage) {
  EXPECT_FALSE(public_key_type(kGoSeed));
  std::string damaged(kGoUser);
  damaged[5] = damaged[5] == 'A' ? 'B' : 'A';
  auto type = public_key_type(damaged);
  ASSERT_FALSE(type);
  EXPECT_NE(type.error().message().find("checksum"), std::string::npos);
  EXPECT_FALSE(public_key_type("not-a-key"));
  auto verify = Nkey::verify(damaged, "x", std::string(64, '\0'));
  ASSERT_FALSE(verify);
  EXPECT_EQ(verify.error().code(), ErrorCode::kInvalidArgument);
}

TEST(Nkey, MovedKeyKeepsSigning) {
  Nkey key = Nkey::generate(NkeyType::kOperator);
  const std::string public_key = key.public_key();
  const Nkey moved = std::move(key);
  EXPECT_EQ(moved.public_key(), public_key);
  EXPECT_TRUE(Nkey::verify(public_key, "m", moved.sign("m")));
}

}  // namespace
}  // namespace common::nats
