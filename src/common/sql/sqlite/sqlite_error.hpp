// sqlite_error: the one place where common_sql turns SQLite result codes into Errors (the
// registry's common/db has its own, with the registry's mapping). Needs extended result
// codes on the connection. Pure; thread-safe given a connection no other thread uses.
#pragma once

#include <string_view>

#include "common/result.hpp"

struct sqlite3;

namespace common::sql::sqlite {

// The Error for result code `rc` (extended) on `db` (may be null): unique/primary key ->
// kAlreadyExists; foreign key, check, NOT NULL, other constraints, bind range ->
// kInvalidArgument; BUSY/LOCKED -> kUnavailable; FULL -> kResourceExhausted; CORRUPT/NOTADB
// -> kCorruption; else kInternal. SQLite's own text goes into the detail.
Error sqlite_error(sqlite3* db, int rc, std::string_view what);

// True when running the transaction again may succeed (another connection held a lock).
bool is_retryable(int rc) noexcept;

}  // namespace common::sql::sqlite
