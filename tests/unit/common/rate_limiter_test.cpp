#include "common/rate_limiter.hpp"

#include <gtest/gtest.h>

#include "testutil/fake_clock.hpp"

namespace common {
namespace {

using namespace std::chrono_literals;

TEST(KeyedRateLimiterTest, EachKeyGetsItsBurstThenItsRate) {
  testutil::FakeClock clock;
  KeyedRateLimiter limiter({.rate = 2, .burst = 3}, clock);
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(limiter.allow("sat-a")) << i;
  EXPECT_FALSE(limiter.allow("sat-a"));
  EXPECT_TRUE(limiter.allow("sat-b")) << "another identity behind the same NAT is not held back";
  clock.advance(500ms);
  EXPECT_TRUE(limiter.allow("sat-a")) << "one token back after 1/rate";
  EXPECT_FALSE(limiter.allow("sat-a"));
  clock.advance(10s);
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(limiter.allow("sat-a")) << "refilled to the burst only";
  EXPECT_FALSE(limiter.allow("sat-a"));
}

TEST(KeyedRateLimiterTest, ZeroRateIsUnlimited) {
  testutil::FakeClock clock;
  KeyedRateLimiter limiter({}, clock);
  for (int i = 0; i < 10'000; ++i) ASSERT_TRUE(limiter.allow("sat"));
}

TEST(KeyedRateLimiterTest, IdleBucketsAreDroppedPastTheBoundButBusyOnesKept) {
  testutil::FakeClock clock;
  KeyedRateLimiter limiter({.rate = 1, .burst = 1}, clock, 16 * 4);
  ASSERT_TRUE(limiter.allow("busy"));
  EXPECT_FALSE(limiter.allow("busy"));
  for (int i = 0; i < 1000; ++i) limiter.allow("client-" + std::to_string(i));
  EXPECT_FALSE(limiter.allow("busy")) << "an empty bucket is never dropped to forgive it";
}

}  // namespace
}  // namespace common
