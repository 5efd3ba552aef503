// FleetHealth, StatusRollup and PeriodicJobs on a real database, on both engines: the fleet
// summary counts what satellites reported, the roll-up turns a move of connectivity or sync
// into one status change, and of two replicas only the lease holder runs a job.
#include "groundcontrol/service/fleet_health.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "common/log/logger.hpp"
#include "common/time_format.hpp"
#include "groundcontrol/service/fleet_sync.hpp"
#include "groundcontrol/service/housekeeping.hpp"
#include "groundcontrol/service/periodic_jobs.hpp"
#include "groundcontrol/service/report_recorder.hpp"
#include "groundcontrol/service/resource_service.hpp"
#include "groundcontrol/service/status_rollup.hpp"
#include "store/store_test_support.hpp"
#include "testutil/fake_clock.hpp"

namespace groundcontrol::service {
namespace {

using model::Connectivity;
using model::Kind;
using model::SyncState;
using nlohmann::json;
using namespace std::chrono_literals;
using store::test::Backend;
using store::test::StoreTest;

class FleetHealthTest : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    if (HasFatalFailure()) return;
    sync_ = std::make_unique<FleetSync>(*db_, view_, common::log::null_logger());
    service_ = std::make_unique<ResourceService>(
        *db_, clock_, *sync_, [this] { return "uid-" + std::to_string(++uids_); });
    recorder_ = std::make_unique<ReportRecorder>(*db_);
    ASSERT_TRUE(sync_->load());
    ASSERT_TRUE(service_->ensure_default_config());
    ASSERT_TRUE(service_->create(Kind::kGroup, json::parse(R"({"metadata":{"name":"edge"},
        "spec":{"selector":{"matchLabels":{"tier":"edge"}}}})"),
                                 admin_));
    ASSERT_TRUE(
        service_->create(Kind::kGroup, json::parse(R"({"metadata":{"name":"empty"}})"), admin_));
    for (const auto* name : {"sat-a", "sat-b", "sat-c"})
      ASSERT_TRUE(service_->create(
          Kind::kSatellite,
          json{{"metadata",
                {{"name", name},
                 {"labels",
                  {{"tier", "edge"}, {"site", std::string(name) == "sat-c" ? "b" : "a"}}}}}},
          admin_));
  }
  void beat(const std::string& satellite, bool applied) {
    store::Heartbeat h{satellite, common::format_rfc3339(clock_.now())};
    h.applied_state_digest = applied ? view_.state_of(satellite)->state_digest : "sha256:old";
    recorder_->record(std::move(h));
    ASSERT_TRUE(recorder_->flush());
  }
  std::int64_t version_of(const std::string& satellite) {
    return service_->get(Kind::kSatellite, satellite)->meta.resource_version;
  }

  testutil::FakeClock clock_;
  FleetView view_;
  std::unique_ptr<FleetSync> sync_;
  std::unique_ptr<ResourceService> service_;
  std::unique_ptr<ReportRecorder> recorder_;
  int uids_ = 0;
  const Actor admin_{"user:admin"};
};

TEST_P(FleetHealthTest, TheSummaryCountsTheFleetEachGroupAndALabel) {
  beat("sat-a", true);
  beat("sat-b", false);
  FleetHealth health(*db_, view_, clock_);
  auto summary = health.summary("site");
  ASSERT_TRUE(summary) << summary.error().message();
  const auto& fleet = summary->fleet;
  EXPECT_EQ(fleet.satellites, 3);
  EXPECT_EQ(fleet.connectivity[static_cast<int>(Connectivity::kOnline)], 2);
  EXPECT_EQ(fleet.connectivity[static_cast<int>(Connectivity::kOffline)], 1);
  EXPECT_EQ(fleet.sync[static_cast<int>(SyncState::kInSync)], 1);
  EXPECT_EQ(fleet.sync[static_cast<int>(SyncState::kOutOfSync)], 1);
  EXPECT_EQ(fleet.sync[static_cast<int>(SyncState::kUnknown)], 1);
  EXPECT_EQ(summary->by_group.at("edge").satellites, 3);
  EXPECT_EQ(summary->by_group.at("empty").satellites, 0) << "a group without members counts 0";
  EXPECT_EQ(summary->by_label.at("a").satellites, 2);
  EXPECT_EQ(summary->by_label.at("b").satellites, 1);

  clock_.advance(6min);  // more than five heartbeat intervals of the default config (60 s)
  summary = health.summary("");
  ASSERT_TRUE(summary);
  EXPECT_EQ(summary->fleet.connectivity[static_cast<int>(Connectivity::kOffline)], 3);
  EXPECT_TRUE(summary->by_label.empty());
}

TEST_P(FleetHealthTest, TheRollupWritesAStatusChangeOnlyWhenAStateMoves) {
  FleetHealth health(*db_, view_, clock_);
  StatusRollup rollup(*db_, health, clock_);
  auto moved = rollup.run();
  ASSERT_TRUE(moved) << moved.error().message();
  EXPECT_EQ(*moved, 3u) << "first run: every satellite's status gets its state";
  EXPECT_EQ(*rollup.run(), 0u) << "nothing moved";

  const auto before = version_of("sat-a");
  beat("sat-a", true);
  EXPECT_EQ(*rollup.run(), 1u);
  const auto stored = service_->get(Kind::kSatellite, "sat-a");
  EXPECT_GT(stored->meta.resource_version, before) << "a watcher sees the move";
  EXPECT_EQ(version_of("sat-b"), version_of("sat-b"));
  EXPECT_EQ(*rollup.run(), 0u);

  clock_.advance(3min);
  EXPECT_EQ(*rollup.run(), 1u) << "sat-a went stale or offline";
  ASSERT_TRUE(service_->remove(Kind::kSatellite, "sat-b", 0, admin_));
  EXPECT_EQ(*rollup.run(), 0u);
}

TEST_P(FleetHealthTest, OfTwoReplicasOnlyTheLeaseHolderRunsAJobUntilItLetsGo) {
  auto other_db = open_again();
  int runs_a = 0, runs_b = 0;
  PeriodicJobs a(*db_, clock_, "replica-a"), b(*other_db, clock_, "replica-b");
  a.add({"cleanup", 5s, [&] { return ++runs_a, common::Status{}; }});
  b.add({"cleanup", 5s, [&] { return ++runs_b, common::Status{}; }});
  for (int round = 0; round < 4; ++round) {
    EXPECT_TRUE(a.run_due().empty());
    EXPECT_TRUE(b.run_due().empty());
    EXPECT_TRUE(a.run_due().empty()) << "not due again within its interval";
    clock_.advance(5s);
  }
  EXPECT_EQ(runs_a, 4);
  EXPECT_EQ(runs_b, 0);
  EXPECT_EQ(a.holds().front().second, 1);
  EXPECT_EQ(b.holds().front().second, 0);

  a.release_all();  // replica a stops
  EXPECT_TRUE(b.run_due().empty());
  EXPECT_EQ(runs_b, 1) << "taken over at once";

  // b dies without letting go: a takes over once the lease (3 intervals, ≥ 10 s) expired.
  clock_.advance(5s);
  EXPECT_TRUE(a.run_due().empty());
  EXPECT_EQ(runs_a, 4);
  clock_.advance(11s);
  EXPECT_TRUE(a.run_due().empty());
  EXPECT_EQ(runs_a, 5);
}

TEST_P(FleetHealthTest, AJobRunFiveTimesASecondKeepsItsLeaseUntilItsHolderDies) {
  auto other_db = open_again();
  int runs_a = 0, runs_b = 0;
  PeriodicJobs a(*db_, clock_, "replica-a"), b(*other_db, clock_, "replica-b");
  a.add({"state-change", 200ms, [&] { return ++runs_a, common::Status{}; }});
  b.add({"state-change", 200ms, [&] { return ++runs_b, common::Status{}; }});
  for (int step = 0; step < 50; ++step) {  // ten seconds
    EXPECT_TRUE(a.run_due().empty());
    EXPECT_TRUE(b.run_due().empty());
    clock_.advance(200ms);
  }
  EXPECT_EQ(runs_a, 50) << "every 200 ms, its lease renewed in time";
  EXPECT_EQ(runs_b, 0);

  // a dies holding it: its last renewal (at most a second ago) holds for the 3 s minimum
  // term, and b takes over once that has passed.
  int steps = 0;
  for (; runs_b == 0 && steps < 30; ++steps) {
    EXPECT_TRUE(b.run_due().empty());
    clock_.advance(200ms);
  }
  EXPECT_GE(steps, 6) << "taken over before the lease ran out";
  EXPECT_LE(steps, 21) << "not taken over within the term and a third";
}

TEST_P(FleetHealthTest, HousekeepingPrunesOldChangesAndAWatchFromBeforeThemIsGone) {
  auto watched = service_->watch(Kind::kSatellite, {0, "", 500});
  ASSERT_TRUE(watched) << watched.error().message();
  EXPECT_EQ(watched->changes.size(), 3u) << "the three satellites of SetUp";
  const auto listed = watched->revision;

  clock_.advance(2h);
  ASSERT_TRUE(
      service_->create(Kind::kGroup, json::parse(R"({"metadata":{"name":"later"}})"), admin_));
  Housekeeping housekeeping(*db_, clock_, 1h);
  auto cleaned = housekeeping.run();
  ASSERT_TRUE(cleaned) << cleaned.error().message();
  EXPECT_GE(cleaned->changes, 5) << "the changes older than an hour";

  auto gone = service_->watch(Kind::kSatellite, {listed - 3, "", 500});
  ASSERT_FALSE(gone);
  EXPECT_EQ(gone.error().code(), common::ErrorCode::kGone) << gone.error().message();
  auto fresh = service_->watch(Kind::kGroup, {listed, "", 500});
  ASSERT_TRUE(fresh) << "a watch that saw everything before the oldest change kept goes on";
  ASSERT_EQ(fresh->changes.size(), 1u);
  EXPECT_EQ(fresh->changes[0].object.meta.name, "later");
}

INSTANTIATE_TEST_SUITE_P(Backends, FleetHealthTest, store::test::service_backends(),
                         store::test::backend_name);

}  // namespace
}  // namespace groundcontrol::service
