// TablePrinter: the kubectl-like tables of `gcctl get`: one row per resource, columns per
// kind (satellites: NAME, CONNECTIVITY, SYNC, LAST HEARTBEAT, AGE; `wide` adds CONFIG,
// VERSION and LABELS; …), then one column per label key asked for with -L. Values the
// resource does not have print as <none>; times print as ages (45s, 12m, 5h, 3d) against
// the `now` given, so output is reproducible in tests. Pure functions; thread-safe.
#pragma once

#include <chrono>
#include <nlohmann/json.hpp>
#include <ostream>
#include <string>
#include <vector>

#include "cli/resource_kind.hpp"

namespace cli {

struct TableOptions {
  bool wide = false;
  std::vector<std::string> label_columns;  // -L KEY: one more column per key
  std::chrono::system_clock::time_point now;
};

struct Table {
  std::vector<std::string> headers;
  std::vector<std::vector<std::string>> rows;
};

// The table of `items` (documents of `kind`).
[[nodiscard]] Table make_table(const ResourceKind& kind, const std::vector<nlohmann::json>& items,
                               const TableOptions& options);

// Column widths for `table`: the widest cell or header of each column.
[[nodiscard]] std::vector<std::size_t> column_widths(const Table& table);

// Writes `table` with columns padded to `widths` (at least column_widths) and three spaces
// between them; the header line unless `with_headers` is false.
void print_table(std::ostream& out, const Table& table, const std::vector<std::size_t>& widths,
                 bool with_headers = true);

// "45s", "12m", "5h", "3d" for an age; "<unknown>" when `rfc3339` does not parse.
[[nodiscard]] std::string format_age(const std::string& rfc3339,
                                     std::chrono::system_clock::time_point now);

}  // namespace cli
