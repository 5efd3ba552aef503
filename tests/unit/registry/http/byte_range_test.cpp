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

TEST(ContentRangeTest, Forms) {
  auto bare = parse_content_range("0-9").value();
  EXPECT_EQ(bare.first, 0u);
  EXPECT_EQ(bare.last, 9u);
  EXPECT_EQ(bare.length(), 10u);
  auto prefixed = parse_content_range("bytes 100-199").value();
  EXPECT_EQ(prefixed.first, 100u);
  EXPECT_EQ(prefixed.length(), 100u);
  EXPECT_EQ(parse_content_range("7-7").value().length(), 1u);
  auto largest = parse_content_range("0-18446744073709551614").value();
  EXPECT_EQ(largest.length(), 18446744073709551615u);
}

TEST(ContentRangeTest, RefusesAnythingElse) {
  for (const char* header : {"",
                             "garbage",
                             "0-9xyz",
                             "0-9 ",
                             " 0-9",
                             "0 -9",
                             "0- 9",
                             "5-1",
                             "-9",
                             "0-",
                             "-",
                             "0-9-",
                             "0-9/10",
                             "0-9,10-19",
                             "bytes=0-9",
                             "bytes  0-9",
                             "Bytes 0-9",
                             "bytes ",
                             "+0-9",
                             "0-+9",
                             "0--9",
                             "0x0-0x9",
                             "0-18446744073709551615",
                             "0-18446744073709551616",
                             "1.0-2"}) {
    auto range = parse_content_range(header);
    ASSERT_FALSE(range.has_value()) << header;
    EXPECT_EQ(range.error().code(), common::ErrorCode::kRangeInvalid) << header;
  }
}

}  // namespace
}  // namespace registry::http
