#include "groundcontrol/messaging/webhook_notifier.hpp"

#include <gtest/gtest.h>

namespace groundcontrol::messaging {
namespace {

using common::fleet_wire::EventType;

TEST(WebhookTest, AUrlTakesEveryEventOrTheTypesItNames) {
  auto all = parse_webhook("https://hooks.example/sat");
  ASSERT_TRUE(all) << all.error().message();
  EXPECT_EQ(all->url, "https://hooks.example/sat");
  EXPECT_TRUE(all->events.empty());
  auto some = parse_webhook("http://127.0.0.1:9/h=sync.completed,disk.low");
  ASSERT_TRUE(some) << some.error().message();
  EXPECT_EQ(some->url, "http://127.0.0.1:9/h");
  EXPECT_EQ(some->events, (std::vector<EventType>{EventType::kSyncCompleted, EventType::kDiskLow}));
}

TEST(WebhookTest, AnEqualsSignInTheUrlsQueryIsPartOfTheUrl) {
  auto plain = parse_webhook("https://hooks.example/x?token=abc");
  ASSERT_TRUE(plain) << plain.error().message();
  EXPECT_EQ(plain->url, "https://hooks.example/x?token=abc");
  EXPECT_TRUE(plain->events.empty());
  auto filtered = parse_webhook("https://hooks.example/x?token=abc=sync.failed");
  ASSERT_TRUE(filtered) << filtered.error().message();
  EXPECT_EQ(filtered->url, "https://hooks.example/x?token=abc");
  EXPECT_EQ(filtered->events, std::vector<EventType>{EventType::kSyncFailed});
}

TEST(WebhookTest, BadUrlsAndUnknownEventsAreRefusedByName) {
  for (const auto* bad :
       {"ftp://x/y", "hooks.example", "http://x/h=sync.done", "http://x/h=command.acknowledged"}) {
    auto got = parse_webhook(bad);
    ASSERT_FALSE(got) << bad;
    EXPECT_EQ(got.error().code(), common::ErrorCode::kInvalidArgument);
    EXPECT_TRUE(got.error().message().starts_with("--webhook: ")) << got.error().message();
  }
}

}  // namespace
}  // namespace groundcontrol::messaging
