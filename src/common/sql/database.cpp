#include "common/sql/database.hpp"

#include <algorithm>
#include <cctype>

#include "common/sql/detail/migration_runner.hpp"
#include "common/sql/postgres/pg_database.hpp"
#include "common/sql/sqlite/sqlite_database.hpp"

namespace common::sql {
namespace {

Status validate(const DatabaseOptions& options) {
  if (options.pool_size < 1 || options.acquire_timeout.count() < 0 ||
      options.connect_timeout.count() < 0 || options.busy_timeout.count() < 0 ||
      options.listener_reconnect_max.count() < 1) {
    return fail(ErrorCode::kInvalidArgument,
                "database options: pool_size must be >= 1 and the durations positive");
  }
  const auto& table = options.serialize_writes_on;
  const bool identifier =
      std::all_of(table.begin(), table.end(),
                  [](unsigned char c) { return std::isalnum(c) != 0 || c == '_'; }) &&
      (table.empty() || std::isdigit(static_cast<unsigned char>(table.front())) == 0);
  if (!identifier) {
    return fail(ErrorCode::kInvalidArgument,
                "database options: serialize_writes_on must be a plain table name", table);
  }
  return {};
}

}  // namespace

Result<std::unique_ptr<Database>> Database::open(const std::string& url_or_path,
                                                 const DatabaseOptions& options) {
  if (auto status = validate(options); !status) return fail(std::move(status.error()));
  if (url_or_path.starts_with("postgres://") || url_or_path.starts_with("postgresql://")) {
    auto db = postgres::PgDatabase::open(url_or_path, options);
    if (!db) return fail(std::move(db.error()));
    return std::unique_ptr<Database>(std::move(*db));
  }
  auto db = sqlite::SqliteDatabase::open(url_or_path, options);
  if (!db) return fail(std::move(db.error()));
  return std::unique_ptr<Database>(std::move(*db));
}

Status Database::ping() {
  return transact(
      [](Connection& conn) -> Status {
        auto row = conn.query("SELECT 1");
        if (!row) return fail(std::move(row.error()));
        return {};
      },
      TxOptions{.read_only = true, .max_attempts = 1});
}

Status Database::migrate(std::span<const Migration> migrations) {
  return detail::run_migrations(
      dialect(), [this](const TxFunction& fn) { return transact_migration_step(fn); }, migrations);
}

Result<int> Database::schema_version() {
  return detail::applied_version(*this);
}

}  // namespace common::sql
