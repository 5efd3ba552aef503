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

// A merge patch replaces an array whole: after a 409, re-sending it is only safe when
// nothing it replaces changed on the server since the version the user edited.
TEST(MergePatch, ConflictsAreThePathsItReplacesThatChangedMeanwhile) {
  const auto base = json::parse(
      R"({"metadata": {"labels": {"a": "1", "b": "1"}}, "spec": {"satellites": ["one"], "n": 1}})");
  const auto edited = json::parse(
      R"({"metadata": {"labels": {"a": "1", "b": "2"}}, "spec": {"satellites": ["two"], "n": 1}})");
  const auto patch = merge_patch_between(base, edited);

  // Someone else changed a label and a field the user did not touch: no conflict.
  auto elsewhere = base;
  elsewhere["metadata"]["labels"]["a"] = "9";
  elsewhere["spec"]["n"] = 2;
  EXPECT_TRUE(merge_patch_conflicts(patch, base, elsewhere).empty());

  // Someone else changed the array the user also edited, and the label: both conflict.
  auto same_fields = base;
  same_fields["spec"]["satellites"] = json::array({"one", "three"});
  same_fields["metadata"]["labels"].erase("b");
  EXPECT_EQ(merge_patch_conflicts(patch, base, same_fields),
            (std::vector<std::string>{"metadata.labels.b", "spec.satellites"}));

  // The server already holds exactly what the user wants: nothing is lost.
  EXPECT_TRUE(merge_patch_conflicts(patch, base, edited).empty());

  // An object the patch descends into was replaced by a scalar meanwhile: named whole.
  auto replaced = base;
  replaced["metadata"]["labels"] = nullptr;
  EXPECT_EQ(merge_patch_conflicts(patch, base, replaced),
            std::vector<std::string>{"metadata.labels"});
}

}  // namespace
}  // namespace cli
