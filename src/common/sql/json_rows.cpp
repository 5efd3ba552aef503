#include "common/sql/json_rows.hpp"

#include <fmt/format.h>

#include <cassert>

namespace common::sql {
namespace {

bool is_identifier(std::string_view name) {
  if (name.empty() || name == "ord") return false;
  for (std::size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool letter = (c >= 'a' && c <= 'z') || c == '_';
    if (!letter && !(i > 0 && c >= '0' && c <= '9')) return false;
  }
  return true;
}

// A JSON string literal: quotes, backslashes and control characters escaped, other bytes
// as they are (the engine validates the encoding as it does for any text parameter).
void append_json_string(std::string& out, std::string_view text) {
  out += '"';
  for (const char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      out += fmt::format("\\u{:04x}", static_cast<unsigned char>(c));
    } else {
      out += c;
    }
  }
  out += '"';
}

}  // namespace

JsonRows::JsonRows(std::initializer_list<std::string_view> columns) {
  assert(columns.size() > 0);
  for (const auto column : columns) {
    assert(is_identifier(column));
    columns_.emplace_back(column);
  }
}

void JsonRows::add(std::initializer_list<std::string_view> values) {
  assert(values.size() == columns_.size());
  json_.pop_back();  // the closing ']'
  if (rows_ > 0) json_ += ',';
  json_ += '[';
  bool first = true;
  for (const auto value : values) {
    if (!first) json_ += ',';
    first = false;
    append_json_string(json_, value);
  }
  json_ += "]]";
  ++rows_;
}

std::string JsonRows::table(Dialect dialect, int placeholder) const {
  std::string columns;
  for (std::size_t i = 0; i < columns_.size(); ++i) {
    columns += dialect == Dialect::kPostgres
                   ? fmt::format("e.value ->> {} AS {}, ", i, columns_[i])
                   : fmt::format("json_extract(value, '$[{}]') AS {}, ", i, columns_[i]);
  }
  if (dialect == Dialect::kPostgres)
    return fmt::format(
        "(SELECT {}e.ord - 1 AS ord FROM jsonb_array_elements(CAST(${} AS jsonb)) "
        "WITH ORDINALITY AS e(value, ord)) AS j",
        columns, placeholder);
  return fmt::format("(SELECT {}CAST(key AS INTEGER) AS ord FROM json_each(${})) AS j", columns,
                     placeholder);
}

}  // namespace common::sql
