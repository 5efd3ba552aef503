#include "satellite/replication/bandwidth_limiter.hpp"

#include <gtest/gtest.h>

#include "testutil/fake_clock.hpp"

namespace satellite::replication {
namespace {

using namespace std::chrono_literals;

TEST(BandwidthLimiterTest, UnlimitedNeverWaits) {
  testutil::FakeClock clock;
  BandwidthLimiter limiter(clock);
  EXPECT_EQ(limiter.reserve(100 * 1024 * 1024), 0ns);
}

TEST(BandwidthLimiterTest, WaitsForTheBytesBeyondTheBurstAtTheRate) {
  testutil::FakeClock clock;
  BandwidthLimiter limiter(clock);
  limiter.set_rate(1024 * 1024);                   // 1 MiB/s
  EXPECT_EQ(limiter.reserve(64 * 1024), 0ns);      // the burst
  EXPECT_EQ(limiter.reserve(512 * 1024), 500ms);   // half a second of debt
  EXPECT_EQ(limiter.reserve(512 * 1024), 1000ms);  // callers queue behind it
  clock.advance(1500ms);                           // the debt is paid
  EXPECT_EQ(limiter.reserve(64 * 1024), 0ns);
}

TEST(BandwidthLimiterTest, AnIdleBucketHoldsNoMoreThanTheBurst) {
  testutil::FakeClock clock;
  BandwidthLimiter limiter(clock);
  limiter.set_rate(1024 * 1024);
  clock.advance(1h);
  EXPECT_EQ(limiter.reserve(64 * 1024 + 1024 * 1024), 1000ms);
}

TEST(BandwidthLimiterTest, AStopEndsTheWait) {
  testutil::FakeClock clock;
  BandwidthLimiter limiter(clock);
  limiter.set_rate(1);
  std::stop_source stop;
  stop.request_stop();
  auto waited = limiter.acquire(1024 * 1024, stop.get_token());
  ASSERT_FALSE(waited.has_value());
  EXPECT_EQ(waited.error().code(), common::ErrorCode::kUnavailable);
}

}  // namespace
}  // namespace satellite::replication
