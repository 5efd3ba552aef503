#include "common/db/sqlite_database.hpp"

#include <gtest/gtest.h>

#include <array>
#include <filesystem>

namespace common::db {
namespace {

std::string temp_db(const char* name) {
  auto path = std::filesystem::temp_directory_path() /
              (std::string(name) + std::to_string(::getpid()) + ".db");
  std::filesystem::remove(path);
  std::filesystem::remove(path.string() + "-wal");
  std::filesystem::remove(path.string() + "-shm");
  return path.string();
}

constexpr std::array kMigrations = {
    Migration{1, "CREATE TABLE t (k TEXT PRIMARY KEY, v INTEGER)"},
    Migration{2, "ALTER TABLE t ADD COLUMN note TEXT"},
};

TEST(SqliteDatabaseTest, MigratesOnceAndRefusesNewerSchema) {
  const auto path = temp_db("migrate");
  {
    auto db = SqliteDatabase::open(path).value();
    ASSERT_TRUE(db->migrate(std::span(kMigrations).first(1)).has_value());
    EXPECT_EQ(db->user_version().value(), 1);
  }
  {
    // An upgraded binary opens the old data dir and applies only the new step.
    auto db = SqliteDatabase::open(path).value();
    ASSERT_TRUE(db->migrate(kMigrations).has_value());
    EXPECT_EQ(db->user_version().value(), 2);
    ASSERT_TRUE(db->exec("INSERT INTO t (k, v, note) VALUES ('a', 1, 'n')").has_value());
  }
  {
    auto db = SqliteDatabase::open(path).value();
    auto status = db->migrate(std::span(kMigrations).first(1));
    ASSERT_FALSE(status.has_value());
    EXPECT_EQ(status.error().code(), ErrorCode::kUnsupported);
  }
  std::filesystem::remove(path);
}

TEST(SqliteDatabaseTest, TransactionRollsBackUnlessCommitted) {
  const auto path = temp_db("txn");
  auto db = SqliteDatabase::open(path).value();
  ASSERT_TRUE(db->migrate(kMigrations).has_value());
  {
    auto txn = db->begin().value();
    ASSERT_TRUE(db->exec("INSERT INTO t (k, v) VALUES ('gone', 1)").has_value());
  }
  {
    auto txn = db->begin().value();
    auto stmt = db->prepare("INSERT INTO t (k, v) VALUES (?, ?)").value();
    ASSERT_TRUE(stmt.bind(1, "kept").bind(2, std::int64_t{7}).run().has_value());
    ASSERT_TRUE(txn.commit().has_value());
  }
  auto query = db->prepare("SELECT k, v FROM t").value();
  ASSERT_TRUE(query.step().value());
  EXPECT_EQ(query.column_text(0), "kept");
  EXPECT_EQ(query.column_int(1), 7);
  EXPECT_FALSE(query.step().value());
  auto dup = db->prepare("INSERT INTO t (k, v) VALUES ('kept', 1)").value();
  auto status = dup.run();
  ASSERT_FALSE(status.has_value());
  EXPECT_EQ(status.error().code(), ErrorCode::kConflict);
  std::filesystem::remove(path);
}

// A bind that SQLite refuses (here: a parameter the statement does not have) is reported by
// the next step instead of running the statement with a parameter missing, and SQLite's own
// words stay in the detail.
TEST(SqliteDatabaseTest, AFailedBindFailsTheStep) {
  auto db = SqliteDatabase::open(temp_db("bind"));
  ASSERT_TRUE(db.has_value());
  ASSERT_TRUE((*db)->exec("CREATE TABLE t (x TEXT)").has_value());
  auto insert = (*db)->prepare("INSERT INTO t VALUES (?)");
  ASSERT_TRUE(insert.has_value());
  auto ran = insert->bind(1, std::string_view("ok")).bind(7, std::int64_t{1}).run();
  ASSERT_FALSE(ran.has_value());
  EXPECT_EQ(ran.error().message(), "sqlite bind");
  EXPECT_FALSE(ran.error().detail().empty());
  auto count = (*db)->prepare("SELECT count(*) FROM t");
  ASSERT_TRUE(count.has_value());
  ASSERT_TRUE(count->step().value());
  EXPECT_EQ(count->column_int(0), 0);
}

}  // namespace
}  // namespace common::db
