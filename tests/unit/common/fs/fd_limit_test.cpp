#include "common/fs/fd_limit.hpp"

#include <gtest/gtest.h>
#include <sys/resource.h>

namespace common::fs {
namespace {

TEST(FdLimitTest, ReportsTheProcessLimit) {
  rlimit expected{};
  ASSERT_EQ(0, ::getrlimit(RLIMIT_NOFILE, &expected));
  auto limit = fd_limit();
  ASSERT_TRUE(limit) << limit.error().message();
  EXPECT_EQ(limit->soft, expected.rlim_cur);
  EXPECT_EQ(limit->hard, expected.rlim_max);
}

TEST(FdLimitTest, RaiseLiftsTheSoftLimitToTheHardLimit) {
  rlimit lowered{};
  ASSERT_EQ(0, ::getrlimit(RLIMIT_NOFILE, &lowered));
  lowered.rlim_cur = std::min<rlim_t>(lowered.rlim_max, 256);
  ASSERT_EQ(0, ::setrlimit(RLIMIT_NOFILE, &lowered));
  auto raised = raise_fd_limit();
  ASSERT_TRUE(raised) << raised.error().message();
  EXPECT_EQ(raised->soft, lowered.rlim_max);
  EXPECT_EQ(raised->hard, lowered.rlim_max);
  EXPECT_EQ(fd_limit()->soft, lowered.rlim_max);
  // Raising again is a no-op.
  EXPECT_EQ(raise_fd_limit()->soft, lowered.rlim_max);
}

}  // namespace
}  // namespace common::fs
