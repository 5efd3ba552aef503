#include "common/http/request.hpp"

#include <gtest/gtest.h>

namespace common::http {
namespace {

TEST(RequestTest, HeaderLookupIsCaseInsensitive) {
  Request r;
  r.headers = {{"Content-Type", "application/json"}, {"accept", "a"}, {"Accept", "b"}};
  EXPECT_EQ(r.header("content-type"), "application/json");
  EXPECT_EQ(r.header("ACCEPT"), "a");
  EXPECT_EQ(r.header("missing"), "");
}

TEST(RequestTest, QueryParamsAreDecoded) {
  Request r;
  r.query = "n=10&last=a%2Fb&mount=sha256%3Aabc&empty";
  EXPECT_EQ(r.query_param("n").value(), "10");
  EXPECT_EQ(r.query_param("last").value(), "a/b");
  EXPECT_EQ(r.query_param("mount").value(), "sha256:abc");
  EXPECT_EQ(r.query_param("empty").value(), "");
  EXPECT_FALSE(r.query_param("missing").has_value());
}

TEST(RequestTest, PercentCoding) {
  EXPECT_EQ(percent_decode("a%2e%2E%2f").value(), "a../");
  EXPECT_FALSE(percent_decode("%").has_value());
  EXPECT_FALSE(percent_decode("%2").has_value());
  EXPECT_FALSE(percent_decode("%zz").has_value());
  EXPECT_EQ(percent_encode("a/b c:d"), "a%2Fb%20c%3Ad");
}

}  // namespace
}  // namespace common::http
