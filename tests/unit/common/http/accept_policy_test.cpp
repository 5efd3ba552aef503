#include "common/http/detail/accept_policy.hpp"

#include <gtest/gtest.h>

#include <boost/asio/error.hpp>

namespace common::http::detail {
namespace {

TEST(AcceptPolicyTest, ConnectionsKeepAReserveOfDescriptorsButAtLeastHalf) {
  EXPECT_EQ(connections_within(20'000), 19'936u);  // all but the reserve of 64
  EXPECT_EQ(connections_within(1024), 960u);
  EXPECT_EQ(connections_within(100), 50u);  // too small for the reserve: half
  EXPECT_EQ(connections_within(1), 1u);     // never none
  EXPECT_EQ(connections_within(0), 1u);
}

TEST(AcceptPolicyTest, OnlyShortagesBackOff) {
  EXPECT_TRUE(worth_backing_off(boost::asio::error::no_descriptors));
  EXPECT_TRUE(
      worth_backing_off(make_error_code(boost::system::errc::too_many_files_open_in_system)));
  EXPECT_TRUE(worth_backing_off(boost::asio::error::no_buffer_space));
  EXPECT_TRUE(worth_backing_off(boost::asio::error::no_memory));
  // A client that gave up in the backlog is no reason to wait.
  EXPECT_FALSE(worth_backing_off(boost::asio::error::connection_aborted));
  EXPECT_FALSE(worth_backing_off(boost::asio::error::operation_aborted));
}

TEST(AcceptPolicyTest, BackOffDoublesFromTenMillisecondsToOneSecond) {
  EXPECT_EQ(backoff_delay(0).count(), 10);
  EXPECT_EQ(backoff_delay(1).count(), 20);
  EXPECT_EQ(backoff_delay(6).count(), 640);
  EXPECT_EQ(backoff_delay(7).count(), 1000);
  EXPECT_EQ(backoff_delay(1'000'000).count(), 1000);
}

}  // namespace
}  // namespace common::http::detail
