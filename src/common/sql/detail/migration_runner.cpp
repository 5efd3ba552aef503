#include "common/sql/detail/migration_runner.hpp"

#include <string>

#include "common/sql/database.hpp"

namespace common::sql::detail {
namespace {

constexpr std::string_view kCreateTableSqlite =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    " version INTEGER PRIMARY KEY,"
    " name TEXT NOT NULL,"
    " applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')))";
constexpr std::string_view kCreateTablePostgres =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    " version INTEGER PRIMARY KEY,"
    " name TEXT NOT NULL,"
    " applied_at TIMESTAMPTZ NOT NULL DEFAULT now())";

Status validate(std::span<const Migration> migrations) {
  int previous = 0;
  for (const auto& migration : migrations) {
    if (migration.version <= previous) {
      return fail(
          ErrorCode::kInvalidArgument, "migration versions must be > 0 and increasing",
          "version " + std::to_string(migration.version) + " after " + std::to_string(previous));
    }
    previous = migration.version;
  }
  return {};
}

// Inside a step transaction (the lock held): makes sure the table exists and returns the
// applied version.
Result<int> read_version(Connection& conn) {
  const auto create =
      conn.dialect() == Dialect::kSqlite ? kCreateTableSqlite : kCreateTablePostgres;
  if (auto status = conn.exec_script(create); !status) return fail(std::move(status.error()));
  auto row = conn.query_one("SELECT COALESCE(MAX(version), 0) FROM schema_migrations");
  if (!row) return fail(std::move(row.error()));
  return static_cast<int>((*row)->int64(0));
}

Status refuse_newer(int applied, int newest) {
  if (applied <= newest) return {};
  return fail(ErrorCode::kUnsupported,
              "the database schema (version " + std::to_string(applied) +
                  ") is newer than this binary supports (version " + std::to_string(newest) +
                  "): run a newer binary",
              "schema_migrations holds version " + std::to_string(applied));
}

}  // namespace

Status run_migrations(Dialect dialect, const StepTransact& step_transact,
                      std::span<const Migration> migrations) {
  if (auto status = validate(migrations); !status) return status;
  const int newest = migrations.empty() ? 0 : migrations.back().version;
  // First refuse a newer database before touching anything.
  auto status = step_transact([&](Connection& conn) -> Status {
    auto applied = read_version(conn);
    if (!applied) return fail(std::move(applied.error()));
    return refuse_newer(*applied, newest);
  });
  if (!status) return status;
  for (const auto& migration : migrations) {
    status = step_transact([&](Connection& conn) -> Status {
      auto applied = read_version(conn);
      if (!applied) return fail(std::move(applied.error()));
      if (auto newer = refuse_newer(*applied, newest); !newer) return newer;
      // A step is skipped only when it was applied (by us earlier or by a replica), not
      // merely because a higher one was: versions may have gaps that a later binary fills.
      if (migration.version <= *applied) {
        auto done = conn.query_one("SELECT 1 FROM schema_migrations WHERE version = $1",
                                   {migration.version});
        if (!done) return fail(std::move(done.error()));
        if (*done) return {};
      }
      if (auto step = conn.exec_script(migration.sql(dialect)); !step) {
        const Error& error = step.error();
        return fail(error.code(),
                    "migration " + std::to_string(migration.version) + " (" +
                        std::string(migration.name) + ") failed: " + error.message(),
                    error.detail());
      }
      auto recorded = conn.exec("INSERT INTO schema_migrations (version, name) VALUES ($1, $2)",
                                {migration.version, migration.name});
      if (!recorded) return fail(std::move(recorded.error()));
      return {};
    });
    if (!status) return status;
  }
  return {};
}

Result<int> applied_version(Database& db) {
  int version = 0;
  auto status = db.transact(
      [&](Connection& conn) -> Status {
        const bool sqlite = conn.dialect() == Dialect::kSqlite;
        auto exists =
            conn.query_one(sqlite ? "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = $1"
                                  : "SELECT 1 FROM pg_tables WHERE schemaname = current_schema() "
                                    "AND tablename = $1",
                           {"schema_migrations"});
        if (!exists) return fail(std::move(exists.error()));
        if (!*exists) return {};
        auto row = conn.query_one("SELECT COALESCE(MAX(version), 0) FROM schema_migrations");
        if (!row) return fail(std::move(row.error()));
        version = static_cast<int>((*row)->int64(0));
        return {};
      },
      TxOptions{.read_only = true});
  if (!status) return fail(std::move(status.error()));
  return version;
}

}  // namespace common::sql::detail
