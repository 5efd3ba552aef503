#include "store/store_test_support.hpp"

#include <atomic>
#include <stdexcept>

#include "groundcontrol/store/schema.hpp"
#include "store/replaying_database.hpp"
#include "testutil/postgres_instance.hpp"

namespace groundcontrol::store::test {
namespace {

// The binary's one PostgreSQL cluster, started by the first test that needs it and
// stopped when the binary exits.
testutil::PostgresInstance& postgres() {
  static const std::unique_ptr<testutil::PostgresInstance> instance =
      testutil::PostgresInstance::start();
  return *instance;
}

std::string next_database_name() {
  static std::atomic<int> next = 0;
  return "gc_test_" + std::to_string(next++);
}

}  // namespace

std::string backend_name(const ::testing::TestParamInfo<Backend>& info) {
  switch (info.param) {
    case Backend::kSqlite:
      return "Sqlite";
    case Backend::kPostgres:
      return "Postgres";
    case Backend::kSqliteReplayed:
      return "SqliteReplayed";
  }
  return "Unknown";
}

void StoreTest::SetUp() {
  url_ = GetParam() == Backend::kPostgres ? postgres().create_database(next_database_name())
                                          : (dir_.path() / "groundcontrol.db").string();
  auto db = common::sql::Database::open(url_, database_options());
  ASSERT_TRUE(db) << db.error().message() << " " << db.error().detail();
  db_ = std::move(*db);
  auto migrated = db_->migrate(migrations());
  ASSERT_TRUE(migrated) << migrated.error().message() << " " << migrated.error().detail();
  if (GetParam() == Backend::kSqliteReplayed)
    db_ = std::make_unique<ReplayingDatabase>(std::move(db_));
}

std::unique_ptr<common::sql::Database> StoreTest::open_again() const {
  auto db = common::sql::Database::open(url_, database_options());
  if (!db) throw std::runtime_error(db.error().message());
  return std::move(*db);
}

void in_transaction(common::sql::Database& db,
                    const std::function<common::Status(common::sql::Connection&)>& fn) {
  auto done = db.transact(fn);
  ASSERT_TRUE(done) << done.error().message() << " " << done.error().detail();
}

}  // namespace groundcontrol::store::test
