// Connection: the statements of one transaction. A Database lends it only to the function
// passed to Database::transact, for one attempt; it must not be kept past that call or
// used from another thread meanwhile.
//
// SQL is written once for both engines with PostgreSQL placeholders $1..$N (the SQLite
// backend rewrites them to ?N, never inside literals, quoted identifiers or comments), and
// one statement per call except in exec_script(). `params` must supply exactly the highest
// $N used. Statements are prepared once per connection and cached by their text, so pass
// values as Params, never spliced into the SQL.
//
// Any failed call dooms the transaction (PostgreSQL aborts it; the SQLite backend enforces
// the same rule so that stores behave alike): later calls fail too, and transact() rolls
// back and returns the first error even when the function ignored it. Write upserts with
// ON CONFLICT, not "insert, and update on kAlreadyExists".
//
// Error codes of every call: kAlreadyExists (unique or primary-key violation),
// kInvalidArgument (foreign key, check, NOT NULL, bad value, wrong parameter count, NUL in
// text), kConflict (serialization failure or deadlock: transact retries it), kUnavailable
// (connection lost, SQLite busy), kResourceExhausted (disk full), kInternal (anything
// else, e.g. SQL syntax). The engine's own text is in Error::detail(), never for clients.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "common/sql/dialect.hpp"
#include "common/sql/param.hpp"
#include "common/sql/row.hpp"

namespace common::sql {

class Connection {
 public:
  virtual ~Connection() = default;

  virtual Dialect dialect() const noexcept = 0;

  // Runs one statement and returns every row it produced (empty for statements without
  // RETURNING). Errors: see the header comment.
  [[nodiscard]] virtual Result<std::vector<Row>> query(std::string_view sql,
                                                       std::span<const Param> params) = 0;
  [[nodiscard]] Result<std::vector<Row>> query(std::string_view sql,
                                               std::initializer_list<Param> params = {}) {
    return query(sql, std::span<const Param>(params.begin(), params.size()));
  }

  // Runs one statement and returns its first row, or std::nullopt when it produced none.
  [[nodiscard]] Result<std::optional<Row>> query_one(std::string_view sql,
                                                     std::span<const Param> params);
  [[nodiscard]] Result<std::optional<Row>> query_one(std::string_view sql,
                                                     std::initializer_list<Param> params = {}) {
    return query_one(sql, std::span<const Param>(params.begin(), params.size()));
  }

  // Runs one statement, discarding any rows, and returns how many rows it inserted,
  // updated or deleted.
  [[nodiscard]] virtual Result<std::int64_t> exec(std::string_view sql,
                                                  std::span<const Param> params) = 0;
  [[nodiscard]] Result<std::int64_t> exec(std::string_view sql,
                                          std::initializer_list<Param> params = {}) {
    return exec(sql, std::span<const Param>(params.begin(), params.size()));
  }

  // Runs several ;-separated statements without parameters and without caching (DDL,
  // migrations). The text must not contain BEGIN/COMMIT.
  [[nodiscard]] virtual Status exec_script(std::string_view sql) = 0;

  // Queues `payload` for the listeners of `channel`: delivered only if and after this
  // transaction commits, never on rollback; identical (channel, payload) pairs within one
  // transaction are delivered once (PostgreSQL's rule, kept by SQLite too). kInvalidArgument
  // for a channel that is not 1..63 of [A-Za-z0-9_.:-] or a payload of 8000 bytes or more.
  [[nodiscard]] virtual Status notify(std::string_view channel, std::string_view payload) = 0;
};

}  // namespace common::sql
