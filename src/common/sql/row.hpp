// Row: one result row, owning copies of its values (it outlives the statement and the
// connection it came from). Columns are addressed by position, as written in the SELECT or
// RETURNING list. Values are plain data, safe to copy between threads.
//
// Cells keep the engine's type: INTEGER (PostgreSQL int2/4/8, bool as 0/1) -> int64; REAL
// (float4/8) -> double; BLOB (bytea) -> Blob; NULL; everything else (TEXT, numeric,
// timestamptz, jsonb...) -> text as the engine prints it. The accessors convert where the
// result is exact: text() prints numbers, int64() parses a decimal text (PostgreSQL's
// SUM/COUNT of big values are numeric) or takes an integral double, blob() takes text
// bytes too (SQLite stores what it was given).
//
// Reading a NULL through a non-optional accessor, a column past size(), or a value that
// does not convert is a bug in the caller's SQL: it aborts with a message naming the
// column. Use the optional_* accessors for nullable columns.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "common/sql/param.hpp"

namespace common::sql {

class Row {
 public:
  using Cell = std::variant<std::nullptr_t, std::int64_t, double, std::string, Blob>;

  Row() = default;
  explicit Row(std::vector<Cell> cells) noexcept : cells_(std::move(cells)) {}

  std::size_t size() const noexcept { return cells_.size(); }
  // The raw cell; REQUIRES column < size().
  const Cell& cell(std::size_t column) const;
  bool is_null(std::size_t column) const {
    return std::holds_alternative<std::nullptr_t>(cell(column));
  }

  // The column as text (numbers printed in decimal). Aborts on NULL.
  std::string text(std::size_t column) const;
  // The column as an integer. Aborts on NULL or a value that is not an exact integer.
  std::int64_t int64(std::size_t column) const;
  // The column's bytes (BLOB or TEXT). Aborts on NULL or a number.
  std::string blob(std::size_t column) const;
  // The column as a double (REAL, INTEGER or a decimal text). Aborts on NULL or non-numbers.
  double real(std::size_t column) const;

  // Same conversions, with std::nullopt for NULL.
  std::optional<std::string> optional_text(std::size_t column) const;
  std::optional<std::int64_t> optional_int64(std::size_t column) const;
  std::optional<std::string> optional_blob(std::size_t column) const;

  friend bool operator==(const Row&, const Row&) = default;

 private:
  std::vector<Cell> cells_;
};

}  // namespace common::sql
