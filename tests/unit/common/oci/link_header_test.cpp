#include "common/oci/link_header.hpp"

#include <gtest/gtest.h>

namespace common::oci {
namespace {

TEST(NextLinkTest, ReadsDistributionsPagingLink) {
  EXPECT_EQ(next_link(R"(</v2/_catalog?last=b&n=2>; rel="next")"), "/v2/_catalog?last=b&n=2");
}

TEST(NextLinkTest, FindsNextAmongSeveralLinksInAnyForm) {
  // Harbor sends prev and next in one header; parameters may be bare, reordered, upper case.
  EXPECT_EQ(next_link(R"(</api/v2.0/projects?page=1&page_size=10>; rel="prev" , )"
                      R"(</api/v2.0/projects?page=3&page_size=10>; rel="next")"),
            "/api/v2.0/projects?page=3&page_size=10");
  EXPECT_EQ(next_link(R"(<https://h/x?a=1,2>; title="t"; REL=next)"), "https://h/x?a=1,2");
  EXPECT_EQ(next_link(R"(</a>; rel="prev next")"), "/a");
}

TEST(NextLinkTest, NoneWithoutANextRelation) {
  EXPECT_EQ(next_link(""), std::nullopt);
  EXPECT_EQ(next_link(R"(</v2/_catalog?last=b>; rel="prev")"), std::nullopt);
  EXPECT_EQ(next_link(R"(</v2/_catalog?last=b>; rel="nextpage")"), std::nullopt);
  EXPECT_EQ(next_link("</unterminated; rel=next"), std::nullopt);
}

TEST(ResolveSameOriginTest, PathsJoinTheBase) {
  EXPECT_EQ(resolve_same_origin("https://reg:5000", "/v2/_catalog?last=b"),
            "https://reg:5000/v2/_catalog?last=b");
  EXPECT_EQ(resolve_same_origin("http://reg:5000/prefix", "/v2/x"), "http://reg:5000/v2/x");
}

TEST(ResolveSameOriginTest, AbsoluteLinksOnlyToTheSameOrigin) {
  EXPECT_EQ(resolve_same_origin("https://reg:5000", "https://reg:5000/v2/x?n=1"),
            "https://reg:5000/v2/x?n=1");
  EXPECT_EQ(resolve_same_origin("https://reg:5000", "https://evil:5000/v2/x"), std::nullopt);
  EXPECT_EQ(resolve_same_origin("https://reg:5000", "http://reg:5000/v2/x"), std::nullopt);
  EXPECT_EQ(resolve_same_origin("https://reg:5000", "//evil/v2/x"), std::nullopt);
  EXPECT_EQ(resolve_same_origin("https://reg:5000", "ftp://reg:5000/x"), std::nullopt);
  EXPECT_EQ(resolve_same_origin("https://reg:5000", ""), std::nullopt);
}

}  // namespace
}  // namespace common::oci
