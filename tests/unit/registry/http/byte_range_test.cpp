#include "registry/http/byte_range.hpp"

#include <gtest/gtest.h>

namespace registry::http {
namespace {

TEST(ByteRangeTest, NoHeaderMeansWholeBlob) {
  auto range = parse_byte_range("", 100);
  ASSERT_TRUE(range.has_value());
  EXPECT_FALSE(range->has_value());
}

TEST(ByteRangeTest, Forms) {
  auto closed = parse_byte_range("bytes=10-19", 100).value().value();
  EXPECT_EQ(closed.first, 10u);
  EXPECT_EQ(closed.length(), 10u);
  auto open = parse_byte_range("bytes=90-", 100).value().value();
  EXPECT_EQ(open.last, 99u);
  auto suffix = parse_byte_range("bytes=-5", 100).value().value();
  EXPECT_EQ(suffix.first, 95u);
  auto clamped = parse_byte_range("bytes=50-1000", 100).value().value();
  EXPECT_EQ(clamped.last, 99u);
}

TEST(ByteRangeTest, UnsatisfiableOrMalformed) {
  for (const char* header : {"bytes=100-", "bytes=5-4", "bytes=a-b", "items=0-1", "bytes=0-1,3-4",
                             "bytes=-0", "bytes=", "bytes=-"}) {
    auto range = parse_byte_range(header, 100);
    ASSERT_FALSE(range.has_value()) << header;
    EXPECT_EQ(range.error().code(), common::ErrorCode::kRangeInvalid) << header;
  }
}

}  // namespace
}  // namespace registry::http
