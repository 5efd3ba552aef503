// LeaseStore on both engines: one holder at a time, renewals, expiry, release, and two
// replicas racing for one lease.
#include "groundcontrol/store/lease_store.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "store/store_test_support.hpp"

namespace groundcontrol::store {
namespace {

using test::Backend;
using test::StoreTest;

class LeaseStoreTest : public StoreTest {
 protected:
  bool acquire(common::sql::Database& db, const std::string& holder, const std::string& now,
               const std::string& until) {
    bool held = false;
    test::in_transaction(db, [&](common::sql::Connection& c) -> common::Status {
      auto got = leases_.acquire(c, "rollup", holder, now, until);
      if (!got) return common::fail(got.error());
      held = *got;
      return {};
    });
    return held;
  }
  LeaseStore leases_;
};

TEST_P(LeaseStoreTest, OneHolderAtATimeUntilItExpiresOrIsReleased) {
  EXPECT_TRUE(acquire(*db_, "a", "2026-12-02T10:00:00Z", "2026-12-02T10:00:15Z"));
  EXPECT_FALSE(acquire(*db_, "b", "2026-12-02T10:00:05Z", "2026-12-02T10:00:20Z"));
  EXPECT_TRUE(acquire(*db_, "a", "2026-12-02T10:00:10Z", "2026-12-02T10:00:25Z")) << "renewal";
  EXPECT_FALSE(acquire(*db_, "b", "2026-12-02T10:00:20Z", "2026-12-02T10:00:35Z"))
      << "the renewal moved the expiry";
  EXPECT_TRUE(acquire(*db_, "b", "2026-12-02T10:00:26Z", "2026-12-02T10:00:41Z"))
      << "expired: taken over";
  EXPECT_FALSE(acquire(*db_, "a", "2026-12-02T10:00:27Z", "2026-12-02T10:00:42Z"));
  test::in_transaction(*db_, [&](common::sql::Connection& c) {
    EXPECT_TRUE(leases_.release(c, "rollup", "a"));  // not a's: nothing happens
    auto lease = leases_.get(c, "rollup");
    EXPECT_TRUE(lease && *lease && (*lease)->holder == "b");
    return leases_.release(c, "rollup", "b");
  });
  EXPECT_TRUE(acquire(*db_, "a", "2026-12-02T10:00:28Z", "2026-12-02T10:00:43Z"))
      << "released: free at once";
}

TEST_P(LeaseStoreTest, OfReplicasRacingForAFreeLeaseExactlyOneWins) {
  std::vector<std::unique_ptr<common::sql::Database>> replicas;
  for (int i = 0; i < 4; ++i) replicas.push_back(i == 0 ? nullptr : open_again());
  for (int round = 0; round < 5; ++round) {
    const auto now = "2026-12-02T10:0" + std::to_string(round) + ":00Z";
    const auto until = "2026-12-02T10:0" + std::to_string(round) + ":30Z";
    std::atomic<int> winners = 0;
    std::vector<std::thread> threads;
    for (int i = 0; i < 4; ++i)
      threads.emplace_back([&, i] {
        auto& db = i == 0 ? *db_ : *replicas[i];
        if (acquire(db, "replica-" + std::to_string(round) + "-" + std::to_string(i), now, until))
          ++winners;
      });
    for (auto& t : threads) t.join();
    EXPECT_EQ(winners.load(), 1) << "round " << round;
  }
}

INSTANTIATE_TEST_SUITE_P(Backends, LeaseStoreTest,
                         ::testing::Values(Backend::kSqlite, Backend::kPostgres),
                         test::backend_name);

}  // namespace
}  // namespace groundcontrol::store
