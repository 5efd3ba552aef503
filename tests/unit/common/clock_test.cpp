#include "common/clock.hpp"

#include <gtest/gtest.h>

#include "testutil/fake_clock.hpp"

namespace common {
namespace {

TEST(SystemClockTest, SteadyTimeNeverGoesBack) {
  SystemClock clock;
  const auto first = clock.steady_now();
  EXPECT_GE(clock.steady_now(), first);
  EXPECT_GT(clock.now().time_since_epoch().count(), 0);
}

TEST(FakeClockTest, StandsStillUntilAdvanced) {
  testutil::FakeClock clock;
  const Clock& seam = clock;
  const auto wall = seam.now();
  const auto steady = seam.steady_now();
  EXPECT_EQ(seam.now(), wall);
  EXPECT_EQ(seam.steady_now(), steady);
  clock.advance(std::chrono::milliseconds(1500));
  EXPECT_EQ(seam.now() - wall, std::chrono::milliseconds(1500));
  EXPECT_EQ(seam.steady_now() - steady, std::chrono::milliseconds(1500));
}

}  // namespace
}  // namespace common
