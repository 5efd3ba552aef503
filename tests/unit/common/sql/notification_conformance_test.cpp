// The conformance suite: listen/notify (see sql_conformance.hpp).
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include "sql_conformance.hpp"

namespace common::sql {
namespace {

using namespace std::chrono_literals;
using test::fails_with;
using test::Inbox;
using test::notify_in_transaction;
using test::ok;
using test::SqlConformanceTest;

TEST_P(SqlConformanceTest, NotificationsArriveAfterCommitAndNeverOnRollback) {
  auto db = open_with_schema();
  ASSERT_NE(db, nullptr);
  Inbox inbox;
  auto subscription = db->listen("items", inbox.callback());
  ASSERT_TRUE(ok(subscription));
  EXPECT_TRUE(subscription->active());
  EXPECT_TRUE(fails_with(db->transact([](Connection& conn) -> Status {
    if (auto status = conn.notify("items", "rolled back"); !status) return status;
    return fail(ErrorCode::kInternal, "abort");
  }),
                         ErrorCode::kInternal));
  ASSERT_TRUE(ok(db->transact([&](Connection& conn) -> Status {
    if (auto status = conn.notify("items", "first"); !status) return status;
    std::this_thread::sleep_for(50ms);  // time enough to arrive, were it sent before COMMIT
    EXPECT_TRUE(inbox.items().empty());
    return {};
  })));
  ASSERT_TRUE(inbox.wait_for("first"));
  ASSERT_TRUE(ok(notify_in_transaction(*db, "items", "second")));
  ASSERT_TRUE(inbox.wait_for("second"));
  EXPECT_EQ(inbox.items(), (std::vector<std::string>{"first", "second"}));
}

TEST_P(SqlConformanceTest, IdenticalNotificationsOfOneTransactionArriveOnce) {
  auto db = open_with_schema();
  ASSERT_NE(db, nullptr);
  Inbox inbox;
  auto subscription = db->listen("items", inbox.callback());
  ASSERT_TRUE(ok(subscription));
  ASSERT_TRUE(ok(db->transact([](Connection& conn) -> Status {
    for (const char* payload : {"x", "x", "y", "x"}) {
      if (auto status = conn.notify("items", payload); !status) return status;
    }
    return conn.notify("other-channel", "x");
  })));
  ASSERT_TRUE(ok(notify_in_transaction(*db, "items", "end")));
  ASSERT_TRUE(inbox.wait_for("end"));
  EXPECT_EQ(inbox.items(), (std::vector<std::string>{"x", "y", "end"}));
}

TEST_P(SqlConformanceTest, ResetSubscriptionsReceiveNothingMore) {
  auto db = open_with_schema();
  ASSERT_NE(db, nullptr);
  Inbox kept, dropped, self_reset;
  auto keep = db->listen("ch", kept.callback());
  auto drop = db->listen("ch", dropped.callback());
  Subscription once;
  auto subscribed = db->listen("ch", [&](std::string_view payload) {
    once.reset();  // from inside its own callback
    self_reset.push(std::string(payload));
  });
  ASSERT_TRUE(ok(keep) && ok(drop) && ok(subscribed));
  once = std::move(*subscribed);
  ASSERT_TRUE(ok(notify_in_transaction(*db, "ch", "one")));
  ASSERT_TRUE(kept.wait_for("one") && dropped.wait_for("one") && self_reset.wait_for("one"));
  drop->reset();
  EXPECT_FALSE(drop->active());
  ASSERT_TRUE(ok(notify_in_transaction(*db, "ch", "two")));
  ASSERT_TRUE(kept.wait_for("two"));
  EXPECT_EQ(dropped.items(), std::vector<std::string>{"one"});
  EXPECT_EQ(self_reset.items(), std::vector<std::string>{"one"});
}

TEST_P(SqlConformanceTest, CallbacksMayCommitButNotListen) {
  auto db = open_with_schema();
  ASSERT_NE(db, nullptr);
  Inbox relayed;
  std::atomic<int> listen_code{-1};
  auto relay = db->listen("a", [&](std::string_view payload) {
    auto nested = db->listen("c", [](std::string_view) {});
    listen_code = nested ? -2 : static_cast<int>(nested.error().code());
    // A callback commits a transaction of its own; its notification follows this one.
    EXPECT_TRUE(ok(notify_in_transaction(*db, "b", "relayed " + std::string(payload))));
  });
  auto sink = db->listen("b", relayed.callback());
  ASSERT_TRUE(ok(relay) && ok(sink));
  ASSERT_TRUE(ok(notify_in_transaction(*db, "a", "hello")));
  ASSERT_TRUE(relayed.wait_for("relayed hello"));
  EXPECT_EQ(listen_code.load(), static_cast<int>(ErrorCode::kInvalidArgument));
}

TEST_P(SqlConformanceTest, ChannelNamesAndPayloadSizesAreChecked) {
  auto db = open_with_schema();
  ASSERT_NE(db, nullptr);
  for (const char* bad : {"", "has space", "quote\"", "semi;colon"}) {
    EXPECT_TRUE(fails_with(db->listen(bad, [](std::string_view) {}), ErrorCode::kInvalidArgument))
        << bad;
  }
  EXPECT_TRUE(fails_with(db->listen(std::string(64, 'c'), [](std::string_view) {}),
                         ErrorCode::kInvalidArgument));
  EXPECT_TRUE(fails_with(notify_in_transaction(*db, "ok", std::string(8000, 'p')),
                         ErrorCode::kInvalidArgument));
  EXPECT_TRUE(ok(notify_in_transaction(*db, "Mixed.Case:ok-1", std::string(7999, 'p'))));
}

}  // namespace
}  // namespace common::sql
