// ReportRecorder on both engines: many heartbeats and status reports, one transaction,
// the latest of each satellite wins.
#include "groundcontrol/service/report_recorder.hpp"

#include <gtest/gtest.h>

#include "store/store_test_support.hpp"

namespace groundcontrol::service {
namespace {

using store::test::Backend;
using store::test::StoreTest;

class ReportRecorderTest : public StoreTest {};

store::Heartbeat beat(std::string satellite, std::string at, std::int64_t uptime) {
  store::Heartbeat h;
  h.satellite = std::move(satellite);
  h.heartbeat_at = std::move(at);
  h.uptime_seconds = uptime;
  return h;
}

TEST_P(ReportRecorderTest, AFloodIsWrittenInOneFlushAndTheLatestOfEachWins) {
  ReportRecorder recorder(*db_);
  for (int round = 0; round < 3; ++round)
    for (int i = 0; i < 1000; ++i)
      recorder.record(beat("sat-" + std::to_string(i),
                           "2026-12-01T00:00:0" + std::to_string(round) + "Z", round));
  EXPECT_EQ(recorder.waiting(), 1000u);
  ASSERT_TRUE(recorder.flush());
  EXPECT_EQ(recorder.waiting(), 0u);
  store::SatelliteStatusStore store;
  store::test::in_transaction(*db_, [&](common::sql::Connection& c) -> common::Status {
    for (const auto* name : {"sat-0", "sat-999"}) {
      auto got = store.get(c, name);
      EXPECT_TRUE(got && *got) << name;
      if (got && *got) {
        EXPECT_EQ((*got)->uptime_seconds, 2);
        EXPECT_EQ((*got)->heartbeat_at, "2026-12-01T00:00:02Z");
      }
    }
    EXPECT_FALSE(*store.get(c, "sat-1000"));
    return {};
  });
  EXPECT_TRUE(recorder.flush());  // nothing waiting: nothing to do
}

store::StoredReport report(std::string satellite, std::string at,
                           std::vector<common::fleet_wire::ArtifactPhase> phases) {
  store::StoredReport r{std::move(satellite), std::move(at), {}};
  r.report.state_digest = "sha256:desired";
  for (std::size_t i = 0; i < phases.size(); ++i)
    r.report.artifacts.push_back(
        {"repo-" + std::to_string(i),
         common::Digest::from_hex(common::DigestAlgorithm::kSha256, std::string(64, 'a')),
         phases[i], 0, 0, phases[i] == common::fleet_wire::ArtifactPhase::kFailed ? "401" : ""});
  return r;
}

TEST_P(ReportRecorderTest, StatusReportsAreWrittenWithHeartbeatsAndScannedAsCounts) {
  using common::fleet_wire::ArtifactPhase;
  ReportRecorder recorder(*db_);
  recorder.record(beat("sat-a", "2026-12-01T00:00:00Z", 1));
  recorder.record(report("sat-a", "2026-12-01T00:00:00Z", {ArtifactPhase::kPulling}));
  recorder.record(
      report("sat-a", "2026-12-01T00:00:01Z", {ArtifactPhase::kPresent, ArtifactPhase::kFailed}));
  recorder.record(report("sat-b", "2026-12-01T00:00:01Z", {ArtifactPhase::kPresent}));
  EXPECT_EQ(recorder.waiting(), 3u);
  ASSERT_TRUE(recorder.flush());
  store::SatelliteReportStore reports;
  store::test::in_transaction(*db_, [&](common::sql::Connection& c) -> common::Status {
    auto a = reports.get(c, "sat-a");
    EXPECT_TRUE(a && *a);
    if (a && *a) {
      EXPECT_EQ((*a)->reported_at, "2026-12-01T00:00:01Z");
      EXPECT_EQ((*a)->report.artifacts.size(), 2u);
      if ((*a)->report.artifacts.size() == 2) {
        EXPECT_EQ((*a)->report.artifacts[1].reason, "401");
      }
    }
    auto rows = reports.scan(c);
    EXPECT_TRUE(rows);
    EXPECT_EQ(rows->size(), 2u);
    for (const auto& row : *rows) {
      if (row.satellite != "sat-a") continue;
      EXPECT_EQ(row.progress.present, 1);
      EXPECT_EQ(row.progress.pulling, 0);
      EXPECT_EQ(row.progress.failed, 1);
      EXPECT_EQ(row.progress.state_digest, "sha256:desired");
    }
    EXPECT_TRUE(reports.remove(c, "sat-a"));
    EXPECT_FALSE(*reports.get(c, "sat-a"));
    return {};
  });
}

INSTANTIATE_TEST_SUITE_P(Backends, ReportRecorderTest, store::test::service_backends(),
                         store::test::backend_name);

}  // namespace
}  // namespace groundcontrol::service
