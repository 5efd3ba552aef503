// What only the SQLite backend has: another process holding the file's write lock, and the
// connection settings it promises.
#include "common/sql/sqlite/sqlite_database.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <chrono>
#include <thread>

#include "sql_test_support.hpp"
#include "testutil/temp_dir.hpp"

namespace common::sql {
namespace {

using namespace std::chrono_literals;
using test::fails_with;
using test::ok;

TEST(SqliteDatabaseTest, AnotherProcessHoldingTheLockIsRetriedThenUnavailable) {
  testutil::TempDir dir(testutil::memory_temp_root());
  const auto path = (dir.path() / "db.sqlite").string();
  auto db = Database::open(path, {.busy_timeout = 10ms});
  ASSERT_TRUE(ok(db));
  sqlite3* other = nullptr;  // stands for another process: its own connection to the file
  ASSERT_EQ(sqlite3_open(path.c_str(), &other), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(other, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr), SQLITE_OK);

  int runs = 0;
  auto status = (*db)->transact(
      [&](Connection&) -> Status {
        ++runs;
        return {};
      },
      TxOptions{.max_attempts = 3});
  ASSERT_TRUE(fails_with(status, ErrorCode::kUnavailable));
  EXPECT_EQ(runs, 0);  // BEGIN IMMEDIATE never got the lock
  EXPECT_NE(status.error().message().find("gave up after 3 attempts"), std::string::npos)
      << status.error().message();

  std::thread release([&] {
    std::this_thread::sleep_for(50ms);
    sqlite3_exec(other, "ROLLBACK", nullptr, nullptr, nullptr);
  });
  status = (*db)->transact(
      [&](Connection&) -> Status {
        ++runs;
        return {};
      },
      TxOptions{.max_attempts = 50});
  release.join();
  EXPECT_TRUE(ok(status));
  EXPECT_EQ(runs, 1);
  sqlite3_close(other);
}

TEST(SqliteDatabaseTest, ConnectionsUseWalAndForeignKeys) {
  testutil::TempDir dir(testutil::memory_temp_root());
  auto db = Database::open((dir.path() / "db.sqlite").string());
  ASSERT_TRUE(ok(db));
  for (const bool read_only : {false, true}) {
    ASSERT_TRUE(ok((*db)->transact(
        [](Connection& conn) -> Status {
          auto mode = conn.query_one("PRAGMA journal_mode");
          auto keys = conn.query_one("PRAGMA foreign_keys");
          auto sync = conn.query_one("PRAGMA synchronous");
          if (!mode || !keys || !sync) return fail(ErrorCode::kInternal, "pragma failed");
          EXPECT_EQ((*mode)->text(0), "wal");
          EXPECT_EQ((*keys)->int64(0), 1);
          EXPECT_EQ((*sync)->int64(0), 2);  // FULL
          return {};
        },
        TxOptions{.read_only = read_only})));
  }
}

TEST(SqliteDatabaseTest, RefusesPathsThatAreNotFiles) {
  EXPECT_TRUE(fails_with(Database::open(""), ErrorCode::kInvalidArgument));
  EXPECT_TRUE(fails_with(Database::open(":memory:"), ErrorCode::kInvalidArgument));
  EXPECT_FALSE(Database::open("/nonexistent-dir/db.sqlite").has_value());
}

}  // namespace
}  // namespace common::sql
