// Placeholder scanning: finds the PostgreSQL placeholders $1..$N of an SQL text, skipping
// string literals, quoted identifiers and comments by the lexical rules of the dialect
// (SQLite: '…' "…" `…` […], -- and non-nested /* */; PostgreSQL: '…', E'…' with backslash
// escapes, "…", $tag$…$tag$, -- and nested /* */). A $ that continues an identifier (a$1)
// is not a placeholder. Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "common/sql/dialect.hpp"

namespace common::sql::detail {

// `sql` with every placeholder $N written as SQLite's ?N (same length, so SQLite's error
// offsets still point into the caller's text).
std::string rewrite_placeholders_for_sqlite(std::string_view sql);

// The highest N of the placeholders $N in `sql`; 0 when there is none.
int highest_placeholder(std::string_view sql, Dialect dialect);

}  // namespace common::sql::detail
