#include "common/sql/row.hpp"

#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace common::sql {
namespace {

// Reading a column the SQL does not produce in that shape is a bug: crash with the reason.
[[noreturn]] void bad_access(std::size_t column, const char* what) {
  std::fprintf(stderr, "common::sql::Row: column %zu: %s\n", column, what);
  std::fflush(stderr);
  std::abort();
}

std::optional<std::int64_t> parse_int64(const std::string& text) {
  std::int64_t value = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc() || ptr != end || text.empty()) return std::nullopt;
  return value;
}

std::optional<double> parse_double(const std::string& text) {
  double value = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc() || ptr != end || text.empty()) return std::nullopt;
  return value;
}

}  // namespace

const Row::Cell& Row::cell(std::size_t column) const {
  if (column >= cells_.size()) bad_access(column, "past the end of the row");
  return cells_[column];
}

std::string Row::text(std::size_t column) const {
  auto value = optional_text(column);
  if (!value) bad_access(column, "NULL read as text");
  return std::move(*value);
}

std::int64_t Row::int64(std::size_t column) const {
  auto value = optional_int64(column);
  if (!value) bad_access(column, "NULL read as int64");
  return *value;
}

std::string Row::blob(std::size_t column) const {
  auto value = optional_blob(column);
  if (!value) bad_access(column, "NULL read as blob");
  return std::move(*value);
}

double Row::real(std::size_t column) const {
  const Cell& value = cell(column);
  if (const auto* d = std::get_if<double>(&value)) return *d;
  if (const auto* i = std::get_if<std::int64_t>(&value)) return static_cast<double>(*i);
  if (const auto* s = std::get_if<std::string>(&value)) {
    if (auto parsed = parse_double(*s)) return *parsed;
    bad_access(column, "text is not a number");
  }
  bad_access(column, std::holds_alternative<std::nullptr_t>(value) ? "NULL read as real"
                                                                   : "blob read as real");
}

std::optional<std::string> Row::optional_text(std::size_t column) const {
  const Cell& value = cell(column);
  if (std::holds_alternative<std::nullptr_t>(value)) return std::nullopt;
  if (const auto* s = std::get_if<std::string>(&value)) return *s;
  if (const auto* i = std::get_if<std::int64_t>(&value)) return std::to_string(*i);
  if (const auto* d = std::get_if<double>(&value)) return fmt::format("{}", *d);
  return std::get<Blob>(value).bytes;
}

std::optional<std::int64_t> Row::optional_int64(std::size_t column) const {
  const Cell& value = cell(column);
  if (std::holds_alternative<std::nullptr_t>(value)) return std::nullopt;
  if (const auto* i = std::get_if<std::int64_t>(&value)) return *i;
  if (const auto* s = std::get_if<std::string>(&value)) {
    if (auto parsed = parse_int64(*s)) return parsed;
    bad_access(column, "text is not a 64-bit integer");
  }
  if (const auto* d = std::get_if<double>(&value)) {
    // 2^63 is exact as a double; anything at or past it does not fit.
    constexpr double kLimit = 9223372036854775808.0;
    if (std::trunc(*d) == *d && *d >= -kLimit && *d < kLimit) {
      return static_cast<std::int64_t>(*d);
    }
    bad_access(column, "real is not an exact 64-bit integer");
  }
  bad_access(column, "blob read as int64");
}

std::optional<std::string> Row::optional_blob(std::size_t column) const {
  const Cell& value = cell(column);
  if (std::holds_alternative<std::nullptr_t>(value)) return std::nullopt;
  if (const auto* b = std::get_if<Blob>(&value)) return b->bytes;
  if (const auto* s = std::get_if<std::string>(&value)) return *s;
  bad_access(column, "number read as blob");
}

}  // namespace common::sql
