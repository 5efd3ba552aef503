#include "common/crypto/base64.hpp"

#include <gtest/gtest.h>

#include "common/crypto/random_bytes.hpp"

namespace common::crypto {
namespace {

TEST(Base64Test, Rfc4648Vectors) {
  EXPECT_EQ(base64_encode(""), "");
  EXPECT_EQ(base64_encode("f"), "Zg==");
  EXPECT_EQ(base64_encode("foob"), "Zm9vYg==");
  EXPECT_EQ(base64_encode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(base64url_encode("f"), "Zg");
  EXPECT_EQ(base64url_encode("\xfb\xff"), "-_8");
  EXPECT_EQ(base64_encode("\xfb\xff"), "+/8=");
  EXPECT_EQ(hex_encode(std::string_view("\x00\xab\xff", 3)), "00abff");
}

TEST(Base64Test, DecodesWhatItEncodes) {
  for (std::size_t n = 0; n < 70; ++n) {
    const auto bytes = random_bytes(n);
    EXPECT_EQ(base64url_decode(base64url_encode(bytes)), bytes);
    EXPECT_EQ(base64_decode(base64_encode(bytes)), bytes);
  }
}

TEST(Base64Test, Base64AcceptsMissingPadding) {
  EXPECT_EQ(base64_decode("Zm9vYg"), "foob");
  EXPECT_EQ(base64_decode("Zm9vYg=="), "foob");
}

TEST(Base64Test, RefusesWhatNoEncoderWrites) {
  for (const char* bad : {"Zg==", "Zg=", "Z", "Zh", "+/8", "Zm 9v", "Zm9v\n", "Zm9v!"})
    EXPECT_FALSE(base64url_decode(bad)) << bad;
  for (const char* bad : {"-_8=", "Zm9vYg=", "Zh==", "Zm9v\n", " Zm9v"})
    EXPECT_FALSE(base64_decode(bad)) << bad;
  EXPECT_EQ(base64url_decode("Z").error().code(), ErrorCode::kInvalidArgument);
}

TEST(RandomBytesTest, GivesTheLengthAskedForAndDiffersEachTime) {
  EXPECT_EQ(random_bytes(0).size(), 0u);
  EXPECT_EQ(random_bytes(33).size(), 33u);
  EXPECT_NE(random_bytes(16), random_bytes(16));
}

}  // namespace
}  // namespace common::crypto
