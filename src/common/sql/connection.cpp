#include "common/sql/connection.hpp"

#include <utility>

namespace common::sql {

Result<std::optional<Row>> Connection::query_one(std::string_view sql,
                                                 std::span<const Param> params) {
  auto rows = query(sql, params);
  if (!rows) return fail(std::move(rows.error()));
  if (rows->empty()) return std::optional<Row>();
  return std::optional<Row>(std::move(rows->front()));
}

}  // namespace common::sql
