#include "common/sql/detail/notification_hub.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <latch>
#include <thread>

namespace common::sql::detail {
namespace {

using namespace std::chrono_literals;

TEST(NotificationHubTest, DeliversInOrderToTheChannelsSubscribers) {
  NotificationHub hub;
  std::vector<std::string> a, b;
  const auto ida = hub.subscribe("a", [&](std::string_view p) { a.emplace_back(p); }, {});
  hub.subscribe(
      "b", [&](std::string_view p) { b.emplace_back(p); }, [&] { b.push_back("!"); });
  EXPECT_EQ(hub.channels(), (std::vector<std::string>{"a", "b"}));
  hub.deliver({{"a", "1"}, {"b", "2"}, {"a", "3"}});
  hub.resync();
  EXPECT_EQ(a, (std::vector<std::string>{"1", "3"}));
  EXPECT_EQ(b, (std::vector<std::string>{"2", "!"}));
  hub.unsubscribe(ida);
  hub.deliver({{"a", "4"}});
  EXPECT_EQ(a.size(), 2u);
  EXPECT_EQ(hub.channels(), std::vector<std::string>{"b"});
}

TEST(NotificationHubTest, SignalsWhenAChannelGainsItsFirstOrLosesItsLastSubscriber) {
  NotificationHub hub;
  int changes = 0;
  hub.set_channels_changed([&] { ++changes; });
  const auto one = hub.subscribe("a", {}, {});
  const auto two = hub.subscribe("a", {}, {});
  EXPECT_EQ(changes, 1);
  hub.unsubscribe(one);
  EXPECT_EQ(changes, 1);
  hub.unsubscribe(two);
  EXPECT_EQ(changes, 2);
}

TEST(NotificationHubTest, ACallbackThatDeliversQueuesItsEventsAfterItself) {
  NotificationHub hub;
  std::vector<std::string> seen;
  hub.subscribe("a",
                [&](std::string_view p) {
                  seen.emplace_back(p);
                  if (p == "first") hub.deliver({{"a", "nested"}});
                  seen.push_back("end of " + std::string(p));
                },
                {});
  hub.deliver({{"a", "first"}, {"a", "second"}});
  EXPECT_EQ(seen, (std::vector<std::string>{"first", "end of first", "second", "end of second",
                                            "nested", "end of nested"}));
}

TEST(NotificationHubTest, UnsubscribeWaitsForARunningCallback) {
  NotificationHub hub;
  std::latch running(1);
  std::atomic<bool> finished{false};
  const auto id = hub.subscribe("a",
                                [&](std::string_view) {
                                  running.count_down();
                                  std::this_thread::sleep_for(100ms);
                                  finished = true;
                                },
                                {});
  std::thread deliverer([&] { hub.deliver({{"a", "x"}}); });
  running.wait();
  hub.unsubscribe(id);
  EXPECT_TRUE(finished.load());  // returned only after the callback ended
  deliverer.join();
}

TEST(NotificationHubTest, ValidatesChannelsAndPayloads) {
  EXPECT_TRUE(validate_channel("satellites.changed:v1-x_").has_value());
  EXPECT_FALSE(validate_channel("").has_value());
  EXPECT_FALSE(validate_channel("no space").has_value());
  EXPECT_FALSE(validate_channel(std::string(64, 'a')).has_value());
  EXPECT_TRUE(validate_payload(std::string(7999, 'p')).has_value());
  EXPECT_FALSE(validate_payload(std::string(8000, 'p')).has_value());
}

}  // namespace
}  // namespace common::sql::detail
