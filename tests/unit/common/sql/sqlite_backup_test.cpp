// backup_sqlite(): a copy of a database that another connection keeps writing is one
// consistent snapshot; existing destinations, missing sources and files that are not
// databases are refused without leaving a copy behind.
#include "common/sql/sqlite_backup.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/stat.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <thread>

#include "common/fs/file_ops.hpp"
#include "common/sql/database.hpp"
#include "sql_test_support.hpp"
#include "testutil/temp_dir.hpp"

namespace common::sql {
namespace {

using test::fails_with;
using test::ok;

Status insert(Database& db, std::int64_t value) {
  return db.transact([&](Connection& c) -> Status {
    auto done = c.exec("INSERT INTO numbers (n) VALUES ($1)", {Param(value)});
    if (!done) return fail(std::move(done.error()));
    return {};
  });
}

// COUNT(*) and MAX(n) of the copy's rows, read through a plain connection.
std::pair<std::int64_t, std::int64_t> count_and_max(const std::string& path) {
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  EXPECT_EQ(sqlite3_prepare_v2(db, "SELECT COUNT(*), MAX(n) FROM numbers", -1, &stmt, nullptr),
            SQLITE_OK);
  EXPECT_EQ(sqlite3_step(stmt), SQLITE_ROW);
  const std::pair<std::int64_t, std::int64_t> out{sqlite3_column_int64(stmt, 0),
                                                  sqlite3_column_int64(stmt, 1)};
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return out;
}

TEST(SqliteBackupTest, CopiesOneConsistentSnapshotWhileAnotherConnectionWrites) {
  testutil::TempDir dir(testutil::memory_temp_root());
  const auto source = (dir.path() / "live.db").string();
  auto db = Database::open(source);
  ASSERT_TRUE(ok(db));
  ASSERT_TRUE(ok((*db)->transact([](Connection& c) {
    return c.exec_script("CREATE TABLE numbers (n INTEGER PRIMARY KEY)");
  })));
  for (std::int64_t n = 1; n <= 200; ++n) ASSERT_TRUE(ok(insert(**db, n)));

  std::atomic<bool> stop = false;
  std::atomic<std::int64_t> written = 200;
  std::thread writer([&] {  // one row per transaction, in order, through the backup
    while (!stop && insert(**db, written + 1)) ++written;
  });
  const auto wait_past = [&](std::int64_t n) {
    while (written <= n) std::this_thread::yield();
  };
  wait_past(210);  // the writer is under way
  const auto copy = (dir.path() / "copy.db").string();
  const auto before = written.load();
  const Status status = backup_sqlite(source, copy);
  const auto after = written.load();
  wait_past(after + 10);  // and was never held up for good
  stop = true;
  writer.join();
  ASSERT_TRUE(ok(status));

  const auto [count, max] = count_and_max(copy);
  EXPECT_EQ(count, max);  // 1..max with no gap: the database as of one commit
  EXPECT_GE(max, before);
  EXPECT_LE(max, after + 1);
  struct stat info {};
  ASSERT_EQ(::stat(copy.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600);
  EXPECT_FALSE(std::filesystem::exists(copy + "-wal"));
  auto header = fs::read_file(copy);
  ASSERT_TRUE(ok(header));
  EXPECT_EQ((*header)[18], 1);  // rollback journal, not WAL: one self-contained file
}

TEST(SqliteBackupTest, AnExistingDestinationIsNeverOverwritten) {
  testutil::TempDir dir(testutil::memory_temp_root());
  const auto source = (dir.path() / "live.db").string();
  ASSERT_TRUE(ok(Database::open(source)));
  const auto copy = dir.path() / "copy.db";
  std::ofstream(copy) << "an older copy";
  EXPECT_TRUE(fails_with(backup_sqlite(source, copy.string()), ErrorCode::kAlreadyExists));
  auto kept = fs::read_file(copy.string());
  ASSERT_TRUE(ok(kept));
  EXPECT_EQ(*kept, "an older copy");
}

TEST(SqliteBackupTest, AMissingSourceIsNotFoundAndNothingIsCreated) {
  testutil::TempDir dir(testutil::memory_temp_root());
  const auto source = dir.path() / "absent.db";
  const auto copy = dir.path() / "copy.db";
  EXPECT_TRUE(fails_with(backup_sqlite(source.string(), copy.string()), ErrorCode::kNotFound));
  EXPECT_FALSE(std::filesystem::exists(source));
  EXPECT_FALSE(std::filesystem::exists(copy));
}

TEST(SqliteBackupTest, AFileThatIsNotADatabaseIsCorruptionAndLeavesNoCopy) {
  testutil::TempDir dir(testutil::memory_temp_root());
  const auto source = dir.path() / "notes.txt";
  std::ofstream(source) << std::string(4096, 'x');
  const auto copy = dir.path() / "copy.db";
  EXPECT_TRUE(fails_with(backup_sqlite(source.string(), copy.string()), ErrorCode::kCorruption));
  EXPECT_FALSE(std::filesystem::exists(copy));
}

}  // namespace
}  // namespace common::sql
