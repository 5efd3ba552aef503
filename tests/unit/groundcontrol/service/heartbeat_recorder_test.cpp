// HeartbeatRecorder on both engines: many heartbeats, one transaction, the latest wins.
#include "groundcontrol/service/heartbeat_recorder.hpp"

#include <gtest/gtest.h>

#include "store/store_test_support.hpp"

namespace groundcontrol::service {
namespace {

using store::test::Backend;
using store::test::StoreTest;

class HeartbeatRecorderTest : public StoreTest {};

store::Heartbeat beat(std::string satellite, std::string at, std::int64_t uptime) {
  store::Heartbeat h;
  h.satellite = std::move(satellite);
  h.heartbeat_at = std::move(at);
  h.uptime_seconds = uptime;
  return h;
}

TEST_P(HeartbeatRecorderTest, AFloodIsWrittenInOneFlushAndTheLatestOfEachWins) {
  HeartbeatRecorder recorder(*db_);
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

INSTANTIATE_TEST_SUITE_P(Backends, HeartbeatRecorderTest,
                         ::testing::Values(Backend::kSqlite, Backend::kPostgres),
                         store::test::backend_name);

}  // namespace
}  // namespace groundcontrol::service
