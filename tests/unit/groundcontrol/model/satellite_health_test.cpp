#include "groundcontrol/model/satellite_health.hpp"

#include <gtest/gtest.h>

namespace groundcontrol::model {
namespace {

using namespace std::chrono_literals;

const std::chrono::system_clock::time_point kNow{std::chrono::seconds(1'800'000'000)};
constexpr std::string_view kDesired = "sha256:desired";

TEST(SatelliteHealthTest, ConnectivityFollowsTheHeartbeatAgeAgainstItsInterval) {
  EXPECT_EQ(connectivity_of(std::nullopt, kNow, 30s), Connectivity::kOffline);
  EXPECT_EQ(connectivity_of(kNow - 60s, kNow, 30s), Connectivity::kOnline);
  EXPECT_EQ(connectivity_of(kNow - 61s, kNow, 30s), Connectivity::kStale);
  EXPECT_EQ(connectivity_of(kNow - 150s, kNow, 30s), Connectivity::kStale);
  EXPECT_EQ(connectivity_of(kNow - 151s, kNow, 30s), Connectivity::kOffline);
  EXPECT_EQ(connectivity_of(kNow + 10s, kNow, 30s), Connectivity::kOnline);  // skewed replica
}

TEST(SatelliteHealthTest, SyncComesFromTheAppliedDigestOrTheReportAboutTheDesiredState) {
  const DesiredSummary desired{kDesired, 3};
  EXPECT_EQ(sync_of(desired, {}), SyncState::kUnknown);
  HealthInputs beat{kNow, "sha256:old", std::nullopt};
  EXPECT_EQ(sync_of(desired, beat), SyncState::kOutOfSync);
  beat.applied_digest = kDesired;
  EXPECT_EQ(sync_of(desired, beat), SyncState::kInSync);

  HealthInputs reported{std::nullopt, "", ReportedProgress{std::string(kDesired), 1, 2, 0}};
  EXPECT_EQ(sync_of(desired, reported), SyncState::kSyncing);
  reported.report->failed = 1;
  EXPECT_EQ(sync_of(desired, reported), SyncState::kFailed);
  reported.report = ReportedProgress{std::string(kDesired), 2, 0, 0};
  EXPECT_EQ(sync_of(desired, reported), SyncState::kSyncing) << "one of three not there yet";
  reported.report->present = 3;
  EXPECT_EQ(sync_of(desired, reported), SyncState::kInSync);
  reported.report->state_digest = "sha256:old";
  EXPECT_EQ(sync_of(desired, reported), SyncState::kOutOfSync) << "a report about another state";
}

TEST(SatelliteHealthTest, NamesAreTheWireNames) {
  EXPECT_EQ(name_of(Connectivity::kStale), "stale");
  EXPECT_EQ(name_of(SyncState::kOutOfSync), "out-of-sync");
  EXPECT_EQ(name_of(SyncState::kInSync), "in-sync");
}

}  // namespace
}  // namespace groundcontrol::model
