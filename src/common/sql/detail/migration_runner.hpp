// The migration runner behind Database::migrate and Database::schema_version, written once
// for both dialects. Safe across processes: every step runs in a transaction from
// `step_transact`, which holds the migration lock before it reads anything (PostgreSQL:
// pg_advisory_xact_lock(kMigrationLockKey) as its first statement, in READ COMMITTED so
// that what it reads next is fresher than the lock; SQLite: BEGIN IMMEDIATE is the lock),
// and re-reads the applied version there. Thread-safe as the Database is.
#pragma once

#include <cstdint>
#include <functional>
#include <span>

#include "common/result.hpp"
#include "common/sql/migration.hpp"

namespace common::sql {
class Connection;
class Database;
}  // namespace common::sql

namespace common::sql::detail {

// The advisory lock every migrating process takes on PostgreSQL ("sqlmigr" in ASCII).
inline constexpr std::int64_t kMigrationLockKey = 0x73716c6d696772;

// Runs one write transaction holding the migration lock (see above).
using StepTransact = std::function<Status(const std::function<Status(Connection&)>&)>;

// See Database::migrate.
[[nodiscard]] Status run_migrations(Dialect dialect, const StepTransact& step_transact,
                                    std::span<const Migration> migrations);
// See Database::schema_version.
[[nodiscard]] Result<int> applied_version(Database& db);

}  // namespace common::sql::detail
