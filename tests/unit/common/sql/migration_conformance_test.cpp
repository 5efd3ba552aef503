// The conformance suite: migrations (see sql_conformance.hpp).
#include <gtest/gtest.h>

#include <array>
#include <latch>
#include <thread>

#include "sql_conformance.hpp"

namespace common::sql {
namespace {

using test::fails_with;
using test::ok;
using test::read;
using test::SqlConformanceTest;

// Portable steps: one text serves both dialects.
constexpr std::string_view kCreateLog = "CREATE TABLE log (entry TEXT NOT NULL)";
constexpr std::string_view kFirstEntry = "INSERT INTO log (entry) VALUES ('two')";
constexpr std::string_view kAddColumn =
    "ALTER TABLE log ADD COLUMN n INTEGER; INSERT INTO log (entry, n) VALUES ('three', 3)";
constexpr std::array kSteps = {
    Migration{1, "create log", kCreateLog, kCreateLog},
    Migration{2, "first entry", kFirstEntry, kFirstEntry},
    Migration{3, "add column", kAddColumn, kAddColumn},
};

TEST_P(SqlConformanceTest, MigrationsApplyOnceAndRefuseANewerDatabase) {
  auto db = open();
  ASSERT_NE(db, nullptr);
  EXPECT_EQ(db->schema_version().value_or(-1), 0);
  ASSERT_TRUE(ok(db->migrate(std::span(kSteps).first(2))));
  EXPECT_EQ(db->schema_version().value_or(-1), 2);
  ASSERT_TRUE(ok(db->migrate(kSteps)));  // an upgraded binary applies only step 3
  ASSERT_TRUE(ok(db->migrate(kSteps)));  // and a restart nothing
  EXPECT_EQ(db->schema_version().value_or(-1), 3);
  auto log = read(*db, "SELECT entry FROM log ORDER BY entry");
  ASSERT_TRUE(ok(log));
  EXPECT_EQ(log->size(), 2u);
  auto applied = read(*db, "SELECT version, name FROM schema_migrations ORDER BY version");
  ASSERT_TRUE(ok(applied));
  ASSERT_EQ(applied->size(), 3u);
  EXPECT_EQ((*applied)[2].text(1), "add column");

  auto older = db->migrate(std::span(kSteps).first(2));  // an old binary on a new database
  ASSERT_TRUE(fails_with(older, ErrorCode::kUnsupported));
  EXPECT_NE(older.error().message().find("newer than this binary"), std::string::npos)
      << older.error().message();
  const std::array unordered = {kSteps[1], kSteps[0]};
  EXPECT_TRUE(fails_with(db->migrate(unordered), ErrorCode::kInvalidArgument));
}

TEST_P(SqlConformanceTest, AStepInAGapIsAppliedWhenALaterBinaryFillsIt) {
  auto db = open();
  ASSERT_NE(db, nullptr);
  // Two branches numbered their steps 2 and 3; the one with 3 shipped first.
  const std::array without_two = {kSteps[0], Migration{3, "third", kAddColumn, kAddColumn}};
  ASSERT_TRUE(ok(db->migrate(without_two)));
  EXPECT_EQ(db->schema_version().value_or(-1), 3);
  const std::array both = {kSteps[0], kSteps[1], Migration{3, "third", kAddColumn, kAddColumn}};
  ASSERT_TRUE(ok(db->migrate(both)));  // step 2 runs now; 1 and 3 do not run again
  ASSERT_TRUE(ok(db->migrate(both)));
  auto log = read(*db, "SELECT entry FROM log ORDER BY entry");
  ASSERT_TRUE(ok(log));
  ASSERT_EQ(log->size(), 2u);
  EXPECT_EQ((*log)[0].text(0), "three");
  EXPECT_EQ((*log)[1].text(0), "two");
  auto applied = read(*db, "SELECT version FROM schema_migrations ORDER BY version");
  ASSERT_TRUE(ok(applied));
  EXPECT_EQ(applied->size(), 3u);
}

TEST_P(SqlConformanceTest, AFailingMigrationStepLeavesThePreviousVersion) {
  auto db = open();
  ASSERT_NE(db, nullptr);
  constexpr std::string_view kBroken =
      "INSERT INTO log (entry) VALUES ('half'); INSERT INTO nowhere VALUES (1)";
  const std::array steps = {kSteps[0], Migration{2, "broken", kBroken, kBroken}};
  auto status = db->migrate(steps);
  ASSERT_FALSE(status.has_value());
  EXPECT_NE(status.error().message().find("migration 2 (broken)"), std::string::npos);
  EXPECT_EQ(db->schema_version().value_or(-1), 1);
  auto log = read(*db, "SELECT COUNT(*) FROM log");
  ASSERT_TRUE(ok(log));
  EXPECT_EQ(log->front().int64(0), 0);
}

TEST_P(SqlConformanceTest, ReplicasMigratingAtOnceApplyEachStepOnce) {
  auto first = open();
  auto second = open();
  ASSERT_TRUE(first != nullptr && second != nullptr);
  std::latch start(2);
  Status status_first, status_second;
  std::thread a([&] {
    start.arrive_and_wait();
    status_first = first->migrate(kSteps);
  });
  std::thread b([&] {
    start.arrive_and_wait();
    status_second = second->migrate(kSteps);
  });
  a.join();
  b.join();
  EXPECT_TRUE(ok(status_first));
  EXPECT_TRUE(ok(status_second));
  auto log = read(*first, "SELECT COUNT(*) FROM log");
  auto applied = read(*first, "SELECT COUNT(*) FROM schema_migrations");
  ASSERT_TRUE(ok(log) && ok(applied));
  EXPECT_EQ(log->front().int64(0), 2);
  EXPECT_EQ(applied->front().int64(0), 3);
}

}  // namespace
}  // namespace common::sql
