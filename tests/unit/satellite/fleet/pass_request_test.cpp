#include "satellite/fleet/pass_request.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <thread>

namespace satellite::fleet {
namespace {

using namespace std::chrono_literals;

constexpr PassRequestTiming kPatient{.timeout = 10s, .heartbeat = 5ms};

// The feed thread's side: the ticket of the next pass that finds a request.
std::uint64_t next_ticket(PassRequest& request) {
  for (int i = 0; i < 2000; ++i) {
    if (auto ticket = request.take()) return *ticket;
    std::this_thread::sleep_for(1ms);
  }
  ADD_FAILURE() << "nothing was asked";
  return 0;
}

TEST(PassRequestTest, NothingAskedNothingToTake) {
  PassRequest request;
  EXPECT_FALSE(request.take());
}

TEST(PassRequestTest, TheAskerGetsTheOutcomeOfThePassThatServedIt) {
  PassRequest request;
  auto asked = std::async(std::launch::async, [&] { return request.ask({}, kPatient, {}); });
  const auto ticket = next_ticket(request);
  request.finish(ticket, common::fail(common::ErrorCode::kUnavailable, "ground control refused"));
  const auto outcome = asked.get();
  ASSERT_FALSE(outcome);
  EXPECT_EQ(outcome.error().message(), "ground control refused");
  EXPECT_FALSE(request.take());  // served: nothing left
}

TEST(PassRequestTest, AskingDuringAPassWaitsForTheNextPass) {
  PassRequest request;
  auto first = std::async(std::launch::async, [&] { return request.ask({}, kPatient, {}); });
  const auto running = next_ticket(request);
  auto second = std::async(std::launch::async, [&] { return request.ask({}, kPatient, {}); });
  const auto next = next_ticket(request);  // asked after `running` was taken
  EXPECT_GT(next, running);
  request.finish(running, {});
  EXPECT_TRUE(first.get());
  EXPECT_EQ(second.wait_for(50ms), std::future_status::timeout);
  request.finish(next, common::fail(common::ErrorCode::kTimeout, "later"));
  EXPECT_FALSE(second.get());
}

TEST(PassRequestTest, WithNoPassTheAskerIsKeptAliveThenGivesUp) {
  PassRequest request;
  std::atomic<int> beats{0};
  const auto outcome =
      request.ask([&] { ++beats; }, PassRequestTiming{.timeout = 60ms, .heartbeat = 5ms}, {});
  ASSERT_FALSE(outcome);
  EXPECT_EQ(outcome.error().code(), common::ErrorCode::kTimeout);
  EXPECT_GE(beats.load(), 3);
}

TEST(PassRequestTest, StopEndsTheWait) {
  PassRequest request;
  std::stop_source stop;
  auto asked =
      std::async(std::launch::async, [&] { return request.ask({}, kPatient, stop.get_token()); });
  next_ticket(request);
  stop.request_stop();
  const auto outcome = asked.get();
  ASSERT_FALSE(outcome);
  EXPECT_EQ(outcome.error().code(), common::ErrorCode::kUnavailable);
}

}  // namespace
}  // namespace satellite::fleet
