#include "common/digest.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace common {
namespace {

const std::string kHex64(64, 'a');

TEST(DigestTest, ParsesSha256AndSha512) {
  auto d = Digest::parse("sha256:" + kHex64);
  ASSERT_TRUE(d.has_value());
  EXPECT_EQ(d->algorithm(), DigestAlgorithm::kSha256);
  EXPECT_EQ(d->hex(), kHex64);
  EXPECT_EQ(d->str(), "sha256:" + kHex64);
  auto d512 = Digest::parse("sha512:" + std::string(128, '0'));
  ASSERT_TRUE(d512.has_value());
  EXPECT_EQ(d512->algorithm(), DigestAlgorithm::kSha512);
}

TEST(DigestTest, RejectsMalformedDigests) {
  for (const std::string& bad : std::vector<std::string>{
           "", "sha256", "sha256:", "sha256:" + std::string(63, 'a'),
           "sha256:" + std::string(65, 'a'), "sha256:" + std::string(63, 'a') + "A",
           "md5:" + kHex64, "sha512:" + kHex64, "sha256:../../../etc/passwd" + std::string(40, 'a'),
           "sha256:" + std::string(62, 'a') + "/a"}) {
    auto d = Digest::parse(bad);
    ASSERT_FALSE(d.has_value()) << bad;
    EXPECT_EQ(d.error().code(), ErrorCode::kDigestInvalid) << bad;
  }
}

TEST(DigestTest, ErrorCodeTableMapsToOciNamesAndStatuses) {
  EXPECT_EQ(info(ErrorCode::kDigestInvalid).name, "DIGEST_INVALID");
  EXPECT_EQ(info(ErrorCode::kDigestInvalid).http_status, 400);
  EXPECT_EQ(info(ErrorCode::kBlobUnknown).http_status, 404);
  EXPECT_EQ(info(ErrorCode::kRangeInvalid).http_status, 416);
  EXPECT_EQ(info(ErrorCode::kUnsupported).name, "UNSUPPORTED");
  EXPECT_EQ(info(ErrorCode::kResourceExhausted).http_status, 507);
}

}  // namespace
}  // namespace common
