#include "common/oci/repository_name.hpp"

#include <gtest/gtest.h>

namespace common::oci {
namespace {

TEST(RepositoryNameTest, AcceptsSpecGrammar) {
  for (const char* good :
       {"a", "library/nginx", "a0/b-c/d__e", "x.y_z", "a--b", "org/team/app", "0"}) {
    EXPECT_TRUE(validate_repository_name(good).has_value()) << good;
  }
  EXPECT_TRUE(validate_repository_name(std::string(255, 'a')).has_value());
}

TEST(RepositoryNameTest, RejectsTraversalAndBadGrammar) {
  for (const char* bad : {"", "A", "a/", "/a", "a//b", "..", "a/../b", "./a", "a/.", "a___b", "-a",
                          "a-", "a b", "a%2fb", "a\\b", "a/.hidden", "a..b", "a\nb"}) {
    auto status = validate_repository_name(bad);
    ASSERT_FALSE(status.has_value()) << bad;
    EXPECT_EQ(status.error().code(), ErrorCode::kNameInvalid) << bad;
  }
  EXPECT_FALSE(validate_repository_name(std::string(256, 'a')).has_value());
}

TEST(RepositoryNameTest, Tags) {
  for (const char* good : {"latest", "v1.2.3", "_x", "A-b.c_d", "1"})
    EXPECT_TRUE(is_valid_tag(good)) << good;
  for (const char* bad : {"", ".x", "-x", "a/b", "a:b", "..", "a b"})
    EXPECT_FALSE(is_valid_tag(bad)) << bad;
  EXPECT_TRUE(is_valid_tag(std::string(128, 'a')));
  EXPECT_FALSE(is_valid_tag(std::string(129, 'a')));
}

}  // namespace
}  // namespace common::oci
