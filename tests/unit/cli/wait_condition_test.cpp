#include "cli/wait_condition.hpp"

#include <gtest/gtest.h>

namespace cli {
namespace {

using nlohmann::json;

const json kSatellite = json::parse(
    R"({"metadata": {"name": "s"}, "status": {"sync": "in-sync", "connectivity": "stale",
        "heartbeat": {"version": "0.1.0", "uptimeSeconds": 42}}})");

TEST(WaitCondition, ConditionsNameAStateOfTheStatusWhateverTheirCase) {
  EXPECT_TRUE(WaitCondition::parse("condition=InSync")->met_by(kSatellite));
  EXPECT_TRUE(WaitCondition::parse("condition=in-sync")->met_by(kSatellite));
  EXPECT_TRUE(WaitCondition::parse("condition=Stale")->met_by(kSatellite));
  EXPECT_FALSE(WaitCondition::parse("condition=Online")->met_by(kSatellite));
  EXPECT_TRUE(WaitCondition::parse("condition=Approved")
                  ->met_by(json::parse(R"({"status": {"phase": "Approved"}})")));
}

TEST(WaitCondition, JsonPathComparesTheValueAsTextOrItsPresence) {
  EXPECT_TRUE(
      WaitCondition::parse("jsonpath={.status.heartbeat.version}=0.1.0")->met_by(kSatellite));
  EXPECT_TRUE(
      WaitCondition::parse("jsonpath='{.status.heartbeat.uptimeSeconds}=42'")->met_by(kSatellite));
  EXPECT_FALSE(WaitCondition::parse("jsonpath={.status.sync}=failed")->met_by(kSatellite));
  EXPECT_TRUE(WaitCondition::parse("jsonpath={.status.heartbeat}")->met_by(kSatellite));
  EXPECT_FALSE(WaitCondition::parse("jsonpath={.status.report}")->met_by(kSatellite));
}

TEST(WaitCondition, DeleteIsMetOnlyByAbsenceAndOtherFormsAreRefused) {
  const auto deleted = WaitCondition::parse("delete");
  ASSERT_TRUE(deleted);
  EXPECT_EQ(deleted->type, WaitCondition::Type::kDelete);
  EXPECT_FALSE(deleted->met_by(kSatellite));
  for (const auto* bad : {"ready", "condition=", "jsonpath=status.sync=x", "jsonpath={.}"})
    EXPECT_EQ(WaitCondition::parse(bad).error().code(), common::ErrorCode::kInvalidArgument) << bad;
}

}  // namespace
}  // namespace cli
