#include "groundcontrol/model/label_selector.hpp"

#include <gtest/gtest.h>

#include <string>

namespace groundcontrol::model {
namespace {

LabelSelector parse(std::string_view text) {
  auto selector = LabelSelector::parse(text, "labelSelector");
  EXPECT_TRUE(selector) << text << ": " << selector.error().message();
  return selector ? *selector : LabelSelector();
}

const Labels kBerlin{{"site", "berlin"}, {"region", "eu"}, {"tier", "edge"}};
const Labels kTokyo{{"site", "tokyo"}, {"region", "ap"}};

TEST(LabelSelectorTest, EmptyMatchesEverything) {
  EXPECT_TRUE(parse("").matches(kBerlin));
  EXPECT_TRUE(parse("  ").matches(Labels{}));
}

TEST(LabelSelectorTest, EachOperatorAsKubernetesDefinesIt) {
  struct Case {
    const char* selector;
    bool berlin;
    bool tokyo;
  };
  for (const Case c :
       {Case{"site=berlin", true, false}, Case{"site==berlin", true, false},
        Case{"site!=berlin", false, true}, Case{"tier!=edge", false, true},
        Case{"region in (eu, us)", true, false}, Case{"region notin (eu,us)", false, true},
        Case{"tier", true, false}, Case{"!tier", false, true},
        Case{"region,site=tokyo", false, true}, Case{"region=eu,tier in (edge)", true, false},
        Case{" site = berlin , ! missing ", true, false}, Case{"tier notin (core)", true, true}}) {
    const auto selector = parse(c.selector);
    EXPECT_EQ(selector.matches(kBerlin), c.berlin) << c.selector;
    EXPECT_EQ(selector.matches(kTokyo), c.tokyo) << c.selector;
  }
}

TEST(LabelSelectorTest, AnEmptyValueIsAValue) {
  EXPECT_TRUE(parse("tier=").matches(Labels{{"tier", ""}}));
  EXPECT_FALSE(parse("tier=").matches(Labels{}));
}

TEST(LabelSelectorTest, CanonicalFormReadsBackEqual) {
  const auto selector = parse("tier notin (b,a,a), site=x, !gone, region");
  EXPECT_EQ(selector.str(), "!gone,region,site=x,tier notin (a,b)");
  EXPECT_EQ(parse(selector.str()), selector);
  EXPECT_EQ(parse("a=1,b=2"), parse("b=2, a=1"));
}

TEST(LabelSelectorTest, MalformedSelectorsNameThePosition) {
  for (const char* bad :
       {"site=berlin,", "=x", "site in a,b", "site in (a", "site in (a b)", "site notin ()", "!",
        "site=a b", "-site=1", "site=-x", "a,,b", "site!", "x=(y)"}) {
    const auto selector = LabelSelector::parse(bad, "labelSelector");
    ASSERT_FALSE(selector) << bad;
    EXPECT_EQ(selector.error().code(), common::ErrorCode::kInvalidArgument);
    EXPECT_TRUE(selector.error().message().starts_with("labelSelector: "))
        << selector.error().message();
  }
}

}  // namespace
}  // namespace groundcontrol::model
