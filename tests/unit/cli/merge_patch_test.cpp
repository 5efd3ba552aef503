#include "cli/merge_patch.hpp"

#include <gtest/gtest.h>

namespace cli {
namespace {

using nlohmann::json;

TEST(MergePatch, HoldsOnlyWhatChangedAndTurnsTheBeforeIntoTheAfter) {
  const auto before = json::parse(
      R"({"metadata": {"labels": {"a": "1", "gone": "x"}}, "spec": {"satellites": ["one"], "keep": 1}})");
  const auto after = json::parse(
      R"({"metadata": {"labels": {"a": "2", "new": "y"}}, "spec": {"satellites": ["two"], "keep": 1}})");
  const auto patch = merge_patch_between(before, after);
  EXPECT_EQ(patch, json::parse(R"({"metadata": {"labels": {"a": "2", "gone": null, "new": "y"}},
                                   "spec": {"satellites": ["two"]}})"));
  auto patched = before;
  patched.merge_patch(patch);
  EXPECT_EQ(patched, after);
  EXPECT_TRUE(merge_patch_between(after, after).empty());
}

}  // namespace
}  // namespace cli
