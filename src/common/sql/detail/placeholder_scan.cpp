#include "common/sql/detail/placeholder_scan.hpp"

#include <cstddef>

namespace common::sql::detail {
namespace {

constexpr int kMaxIndex = 1'000'000;  // beyond any engine's limit: the count check refuses it

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
bool is_ident_start(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
         static_cast<unsigned char>(c) >= 0x80;
}
bool is_ident_char(char c) {
  return is_ident_start(c) || is_digit(c) || c == '$';
}

// Past the run quoted by sql[i] and `close`; a doubled closing character stands for itself.
std::size_t skip_quoted(std::string_view sql, std::size_t i, char close, bool backslash_escapes) {
  for (++i; i < sql.size(); ++i) {
    if (backslash_escapes && sql[i] == '\\') {
      ++i;
    } else if (sql[i] == close) {
      if (close == ']' || i + 1 >= sql.size() || sql[i + 1] != close) return i + 1;
      ++i;
    }
  }
  return sql.size();
}

std::size_t skip_block_comment(std::string_view sql, std::size_t i, bool nested) {
  int depth = 1;
  for (i += 2; i < sql.size(); ++i) {
    if (nested && sql.substr(i, 2) == "/*") {
      ++depth;
      ++i;
    } else if (sql.substr(i, 2) == "*/") {
      if (--depth == 0) return i + 2;
      ++i;
    }
  }
  return sql.size();
}

// PostgreSQL's $tag$…$tag$ starting at sql[i] == '$': the position past it, or `i` when
// no dollar quote starts here.
std::size_t skip_dollar_quote(std::string_view sql, std::size_t i) {
  std::size_t end = i + 1;
  if (end < sql.size() && is_ident_start(sql[end])) {
    while (end < sql.size() && is_ident_char(sql[end]) && sql[end] != '$') ++end;
  }
  if (end >= sql.size() || sql[end] != '$') return i;
  const std::string_view tag = sql.substr(i, end - i + 1);
  const std::size_t close = sql.find(tag, end + 1);
  return close == std::string_view::npos ? sql.size() : close + tag.size();
}

// Calls on_placeholder(position of '$', N) for each placeholder outside literals.
template <class Visitor>
void scan(std::string_view sql, Dialect dialect, Visitor&& on_placeholder) {
  const bool pg = dialect == Dialect::kPostgres;
  std::size_t i = 0;
  while (i < sql.size()) {
    const char c = sql[i];
    const char next = i + 1 < sql.size() ? sql[i + 1] : '\0';
    const bool after_ident = i > 0 && is_ident_char(sql[i - 1]);
    if (c == '\'') {
      // E'…' (not the tail of an identifier such as "type'") takes backslash escapes.
      const bool escapes = pg && i > 0 && (sql[i - 1] == 'E' || sql[i - 1] == 'e') &&
                           !(i > 1 && is_ident_char(sql[i - 2]));
      i = skip_quoted(sql, i, '\'', escapes);
    } else if (c == '"') {
      i = skip_quoted(sql, i, '"', false);
    } else if (!pg && c == '`') {
      i = skip_quoted(sql, i, '`', false);
    } else if (!pg && c == '[') {
      i = skip_quoted(sql, i, ']', false);
    } else if (c == '-' && next == '-') {
      const std::size_t eol = sql.find('\n', i);
      i = eol == std::string_view::npos ? sql.size() : eol + 1;
    } else if (c == '/' && next == '*') {
      i = skip_block_comment(sql, i, pg);
    } else if (c == '$' && !after_ident && is_digit(next)) {
      int index = 0;
      std::size_t end = i + 1;
      for (; end < sql.size() && is_digit(sql[end]); ++end) {
        index = index >= kMaxIndex ? kMaxIndex : index * 10 + (sql[end] - '0');
      }
      on_placeholder(i, index);
      i = end;
    } else if (pg && c == '$' && !after_ident) {
      const std::size_t end = skip_dollar_quote(sql, i);
      i = end == i ? i + 1 : end;
    } else {
      ++i;
    }
  }
}

}  // namespace

std::string rewrite_placeholders_for_sqlite(std::string_view sql) {
  std::string out(sql);
  scan(sql, Dialect::kSqlite, [&](std::size_t position, int) { out[position] = '?'; });
  return out;
}

int highest_placeholder(std::string_view sql, Dialect dialect) {
  int highest = 0;
  scan(sql, dialect, [&](std::size_t, int index) {
    if (index > highest) highest = index;
  });
  return highest;
}

}  // namespace common::sql::detail
