// JsonRows: a batch of rows passed to one statement as one parameter, a JSON array of
// arrays of strings. A store that writes or matches hundreds of rows then runs one
// statement, prepared once whatever the batch's size (an IN list or a multi-row VALUES
// would be a new statement text, and a new prepared statement, for every size), instead of
// one round trip per row.
//
//   JsonRows rows({"sat", "digest"});
//   rows.add({name, digest});
//   db.exec("UPDATE t SET d = j.digest FROM " + rows.table(db.dialect(), 1) +
//           " WHERE t.name = j.sat", {rows.param()});
//
// table() is a derived table aliased `j` with the named columns, all TEXT (CAST them in
// SQL for other types), and `ord`, the row's 0-based position, for an ORDER BY that keeps
// the batch's order. Name columns apart from the target table's own, so that unqualified
// names stay unambiguous (SQLite's RETURNING takes only the target's columns).
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "common/sql/dialect.hpp"

namespace common::sql {

class JsonRows {
 public:
  // `columns`: SQL identifiers ([a-z_][a-z0-9_]*), at least one; not "ord".
  explicit JsonRows(std::initializer_list<std::string_view> columns);

  // One row: exactly one value per column, in the columns' order. Text as any parameter
  // takes it: PostgreSQL refuses NUL and invalid UTF-8 (kInvalidArgument from the
  // statement).
  void add(std::initializer_list<std::string_view> values);
  std::size_t size() const noexcept { return rows_; }
  bool empty() const noexcept { return rows_ == 0; }

  // The derived table reading parameter $`placeholder`: "(SELECT … ) AS j".
  std::string table(Dialect dialect, int placeholder) const;
  // The parameter's value: the rows as a JSON array of arrays.
  const std::string& param() const noexcept { return json_; }

 private:
  std::vector<std::string> columns_;
  std::string json_ = "[]";  // kept closed: add() writes before the final ']'
  std::size_t rows_ = 0;
};

}  // namespace common::sql
