// What ground control's store and service tests share: a fresh, migrated database per test
// on each backend (SQLite in a temp dir; PostgreSQL on one throw-away cluster per test
// binary, a new database per test), for suites parameterised over both; service suites add
// SQLite behind a ReplayingDatabase, which runs every transaction twice as a retry would.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "common/sql/database.hpp"
#include "testutil/temp_dir.hpp"

namespace groundcontrol::store::test {

enum class Backend { kSqlite, kPostgres, kSqliteReplayed };

// What a service suite runs on: both engines, and SQLite with every transaction replayed.
inline auto service_backends() {
  return ::testing::Values(Backend::kSqlite, Backend::kPostgres, Backend::kSqliteReplayed);
}

std::string backend_name(const ::testing::TestParamInfo<Backend>& info);

class StoreTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override;
  // Another handle on the same database (a second replica on PostgreSQL; on SQLite a second
  // handle in the same process).
  std::unique_ptr<common::sql::Database> open_again() const;

  testutil::TempDir dir_;
  std::string url_;
  std::unique_ptr<common::sql::Database> db_;
};

// Runs `fn` in one transaction on `db`, failing the test on error.
void in_transaction(common::sql::Database& db,
                    const std::function<common::Status(common::sql::Connection&)>& fn);

}  // namespace groundcontrol::store::test
