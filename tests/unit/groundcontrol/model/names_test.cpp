#include "groundcontrol/model/names.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace groundcontrol::model {
namespace {

TEST(NamesTest, DnsLabelsAreNames) {
  for (const std::string& good :
       std::vector<std::string>{"a", "sat-berlin-1", "0", std::string(63, 'x')})
    EXPECT_TRUE(validate_name(good, "metadata.name")) << good;
}

TEST(NamesTest, OtherTextIsRefusedNamingTheField) {
  for (const std::string& bad :
       std::vector<std::string>{"", "-a", "a-", "A", "a_b", "a.b", "a/b", std::string(64, 'x'),
                                std::string("a\0b", 3), "é"}) {
    const auto result = validate_name(bad, "metadata.name");
    ASSERT_FALSE(result) << bad;
    EXPECT_EQ(result.error().code(), common::ErrorCode::kInvalidArgument);
    EXPECT_TRUE(result.error().message().starts_with("metadata.name: "))
        << result.error().message();
  }
}

TEST(NamesTest, LabelKeysMayHaveADnsPrefix) {
  for (const char* good : {"site", "Region", "a.b_c-d", "example.com/site", "x/Y"})
    EXPECT_TRUE(validate_label_key(good, "f")) << good;
  for (const std::string& bad : std::vector<std::string>{
           "", "/site", "Example.com/site", "a b", "-a", "a-", std::string(64, 'k'), "a//b", "a/"})
    EXPECT_FALSE(validate_label_key(bad, "f")) << bad;
}

TEST(NamesTest, LabelValuesMayBeEmpty) {
  for (const char* good : {"", "eu-west", "V1.2_3"}) EXPECT_TRUE(validate_label_value(good, "f"));
  for (const std::string& bad : std::vector<std::string>{"-x", "x ", "a,b", std::string(64, 'v')})
    EXPECT_FALSE(validate_label_value(bad, "f")) << bad;
}

}  // namespace
}  // namespace groundcontrol::model
