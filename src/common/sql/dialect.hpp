// Dialect: which SQL engine a Database talks to. Stores write one portable SQL text
// (PostgreSQL placeholders $1..$N, ON CONFLICT, RETURNING, CTEs) and consult the dialect
// only where the engines truly differ (DDL types in migrations, engine-specific functions).
#pragma once

#include <string_view>

namespace common::sql {

enum class Dialect {
  kSqlite,    // embedded SQLite 3.40+, one process
  kPostgres,  // PostgreSQL 15 over libpq, any number of processes
};

// "sqlite" or "postgres" (logs, test names).
constexpr std::string_view name(Dialect dialect) noexcept {
  return dialect == Dialect::kSqlite ? "sqlite" : "postgres";
}

}  // namespace common::sql
