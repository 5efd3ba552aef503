#include "registry/http/login_rate_limiter.hpp"

#include <gtest/gtest.h>

#include "testutil/fake_clock.hpp"

namespace registry::http {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

class LoginRateLimiterTest : public ::testing::Test {
 protected:
  testutil::FakeClock clock_;
};

TEST_F(LoginRateLimiterTest, RefusesAfterABurstOfFailuresUntilATokenRefills) {
  LoginRateLimiter limiter({.burst = 3, .refill = seconds(1)}, clock_);
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(limiter.try_acquire("10.0.0.1").admitted) << i;
  auto refused = limiter.try_acquire("10.0.0.1");
  EXPECT_FALSE(refused.admitted);
  EXPECT_EQ(refused.retry_after, seconds(1));
  clock_.advance(milliseconds(400));
  refused = limiter.try_acquire("10.0.0.1");
  EXPECT_FALSE(refused.admitted);
  EXPECT_EQ(refused.retry_after, milliseconds(600));
  clock_.advance(milliseconds(600));
  EXPECT_TRUE(limiter.try_acquire("10.0.0.1").admitted);  // one token back, used at once
  EXPECT_FALSE(limiter.try_acquire("10.0.0.1").admitted);
  clock_.advance(seconds(3));  // the whole burst is back
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(limiter.try_acquire("10.0.0.1").admitted) << i;
  EXPECT_FALSE(limiter.try_acquire("10.0.0.1").admitted);
}

TEST_F(LoginRateLimiterTest, AddressesHaveTheirOwnBuckets) {
  LoginRateLimiter limiter({.burst = 2, .refill = seconds(1)}, clock_);
  EXPECT_TRUE(limiter.try_acquire("10.0.0.1").admitted);
  EXPECT_TRUE(limiter.try_acquire("10.0.0.1").admitted);
  EXPECT_FALSE(limiter.try_acquire("10.0.0.1").admitted);
  EXPECT_TRUE(limiter.try_acquire("10.0.0.2").admitted);
  EXPECT_TRUE(limiter.try_acquire("::1").admitted);
}

TEST_F(LoginRateLimiterTest, SuccessfulChecksGiveTheirTokenBack) {
  LoginRateLimiter limiter({.burst = 2, .refill = seconds(10)}, clock_);
  for (int i = 0; i < 100; ++i) {
    ASSERT_TRUE(limiter.try_acquire("10.0.0.1").admitted) << i;
    limiter.refund("10.0.0.1");
  }
  EXPECT_EQ(limiter.tracked(), 0u);  // a full bucket is not kept
  EXPECT_TRUE(limiter.try_acquire("10.0.0.1").admitted);
  EXPECT_TRUE(limiter.try_acquire("10.0.0.1").admitted);
  EXPECT_FALSE(limiter.try_acquire("10.0.0.1").admitted);
  limiter.refund("10.0.0.1");  // one of the two checks turned out right
  EXPECT_TRUE(limiter.try_acquire("10.0.0.1").admitted);
  limiter.refund("unknown");  // harmless
}

TEST_F(LoginRateLimiterTest, MemoryIsBoundedAndTheLeastRecentlySeenGoesFirst) {
  LoginRateLimiter limiter({.burst = 1, .refill = seconds(60), .max_clients = 3}, clock_);
  for (const char* address : {"a", "b", "c"}) EXPECT_TRUE(limiter.try_acquire(address).admitted);
  EXPECT_FALSE(limiter.try_acquire("a").admitted);  // "a" is now the most recently seen
  EXPECT_TRUE(limiter.try_acquire("d").admitted);   // evicts "b"
  EXPECT_EQ(limiter.tracked(), 3u);
  EXPECT_FALSE(limiter.try_acquire("a").admitted);
  EXPECT_FALSE(limiter.try_acquire("c").admitted);
  EXPECT_FALSE(limiter.try_acquire("d").admitted);
  EXPECT_TRUE(limiter.try_acquire("b").admitted);  // forgotten, so fresh (and evicts "a")
  EXPECT_EQ(limiter.tracked(), 3u);
}

TEST_F(LoginRateLimiterTest, BurstZeroDisablesTheLimit) {
  LoginRateLimiter limiter({.burst = 0}, clock_);
  for (int i = 0; i < 1000; ++i) ASSERT_TRUE(limiter.try_acquire("10.0.0.1").admitted);
  EXPECT_EQ(limiter.tracked(), 0u);
}

}  // namespace
}  // namespace registry::http
