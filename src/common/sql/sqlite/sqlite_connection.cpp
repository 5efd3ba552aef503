#include "common/sql/sqlite/sqlite_connection.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <cstring>
#include <string>

#include "common/sql/detail/placeholder_scan.hpp"
#include "common/sql/sqlite/sqlite_error.hpp"

namespace common::sql::sqlite {
namespace {

bool has_nul(const std::string& text) {
  return std::memchr(text.data(), '\0', text.size());
}

Row read_row(sqlite3_stmt* stmt) {
  const int columns = sqlite3_column_count(stmt);
  std::vector<Row::Cell> cells;
  cells.reserve(static_cast<std::size_t>(columns));
  for (int i = 0; i < columns; ++i) {
    switch (sqlite3_column_type(stmt, i)) {
      case SQLITE_INTEGER:
        cells.emplace_back(static_cast<std::int64_t>(sqlite3_column_int64(stmt, i)));
        break;
      case SQLITE_FLOAT:
        cells.emplace_back(sqlite3_column_double(stmt, i));
        break;
      case SQLITE_TEXT: {
        const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt, i));
        cells.emplace_back(
            std::string(text, static_cast<std::size_t>(sqlite3_column_bytes(stmt, i))));
        break;
      }
      case SQLITE_BLOB: {
        const auto* bytes = static_cast<const char*>(sqlite3_column_blob(stmt, i));
        const auto size = static_cast<std::size_t>(sqlite3_column_bytes(stmt, i));
        cells.emplace_back(Blob{size == 0 ? std::string() : std::string(bytes, size)});
        break;
      }
      default:
        cells.emplace_back(nullptr);
        break;
    }
  }
  return Row(std::move(cells));
}

}  // namespace

void SqliteConnection::Finalizer::operator()(sqlite3_stmt* stmt) const noexcept {
  sqlite3_finalize(stmt);
}

Result<std::unique_ptr<SqliteConnection>> SqliteConnection::open(const std::string& path,
                                                                 const Settings& settings) {
  const int flags =
      SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | (settings.reader ? 0 : SQLITE_OPEN_CREATE);
  sqlite3* raw = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  std::unique_ptr<SqliteConnection> conn(new SqliteConnection(raw, settings));
  if (rc != SQLITE_OK) return fail(sqlite_error(raw, rc, "cannot open SQLite database " + path));
  sqlite3_extended_result_codes(raw, 1);
  sqlite3_busy_timeout(raw, static_cast<int>(settings.busy_timeout.count()));
  if (!settings.reader) {
    auto mode = conn->query("PRAGMA journal_mode=WAL", std::span<const Param>());
    if (!mode) return fail(std::move(mode.error()));
    if (mode->empty() || mode->front().text(0) != "wal") {
      return fail(ErrorCode::kInternal, "SQLite cannot use WAL for " + path,
                  mode->empty() ? "" : "journal_mode is " + mode->front().text(0));
    }
  }
  for (const char* pragma : {"PRAGMA synchronous=FULL", "PRAGMA foreign_keys=ON"}) {
    if (auto status = conn->exec_plain(pragma); !status) return fail(std::move(status.error()));
  }
  if (settings.reader) {
    if (auto status = conn->exec_plain("PRAGMA query_only=ON"); !status) {
      return fail(std::move(status.error()));
    }
  }
  return conn;
}

SqliteConnection::~SqliteConnection() {
  cache_.clear();  // statements first, so that the close is not deferred
  sqlite3_close_v2(db_);
}

Error SqliteConnection::record(int rc, std::string_view what) {
  return state_.record(sqlite_error(db_, rc, what), is_retryable(rc));
}

Status SqliteConnection::exec_plain(const char* sql) {
  const int rc = sqlite3_exec(db_, sql, nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) return fail(record(rc, sql));
  return {};
}

Result<sqlite3_stmt*> SqliteConnection::prepare(std::string_view sql) {
  if (auto it = cache_.find(sql); it != cache_.end()) return it->second.get();
  const std::string text = detail::rewrite_placeholders_for_sqlite(sql);
  sqlite3_stmt* raw = nullptr;
  const char* tail = nullptr;
  int rc = sqlite3_prepare_v3(db_, text.data(), static_cast<int>(text.size()),
                              SQLITE_PREPARE_PERSISTENT, &raw, &tail);
  StatementPtr stmt(raw);
  if (rc != SQLITE_OK) return fail(record(rc, "SQLite cannot prepare the statement"));
  if (stmt == nullptr) return fail(record(Error(ErrorCode::kInvalidArgument, "empty statement")));
  // Whatever follows must be empty (whitespace, comments): one statement per call.
  sqlite3_stmt* extra = nullptr;
  const auto rest = static_cast<int>(text.size() - static_cast<std::size_t>(tail - text.data()));
  rc = sqlite3_prepare_v2(db_, tail, rest, &extra, nullptr);
  sqlite3_finalize(extra);
  if (rc != SQLITE_OK || extra != nullptr) {
    return fail(record(
        Error(ErrorCode::kInvalidArgument, "one statement per call (several need exec_script)")));
  }
  if (cache_.size() >= std::max<std::size_t>(settings_.statement_cache_size, 1)) cache_.clear();
  return cache_.emplace(std::string(sql), std::move(stmt)).first->second.get();
}

Result<sqlite3_stmt*> SqliteConnection::bind(std::string_view sql, std::span<const Param> params) {
  if (auto status = state_.check(); !status) return fail(std::move(status.error()));
  auto prepared = prepare(sql);
  if (!prepared) return prepared;
  sqlite3_stmt* stmt = *prepared;
  const int wanted = sqlite3_bind_parameter_count(stmt);
  if (static_cast<std::size_t>(wanted) != params.size()) {
    return fail(record(Error(ErrorCode::kInvalidArgument,
                             "the statement takes " + std::to_string(wanted) + " parameters but " +
                                 std::to_string(params.size()) + " were given")));
  }
  for (std::size_t i = 0; i < params.size(); ++i) {
    const int index = static_cast<int>(i) + 1;
    const Param::Value& value = params[i].value();
    int rc = SQLITE_OK;
    if (const auto* number = std::get_if<std::int64_t>(&value)) {
      rc = sqlite3_bind_int64(stmt, index, *number);
    } else if (const auto* text = std::get_if<std::string>(&value)) {
      if (has_nul(*text)) {
        sqlite3_clear_bindings(stmt);
        return fail(record(Error(ErrorCode::kInvalidArgument,
                                 "text parameter $" + std::to_string(index) +
                                     " contains a NUL byte (bytes belong in a Blob)")));
      }
      // Borrowed: `params` outlives the statement's use, which ends with its reset.
      rc = sqlite3_bind_text64(stmt, index, text->data(), text->size(), SQLITE_STATIC, SQLITE_UTF8);
    } else if (const auto* blob = std::get_if<Blob>(&value)) {
      rc = sqlite3_bind_blob64(stmt, index, blob->bytes.data(), blob->bytes.size(), SQLITE_STATIC);
    } else {
      rc = sqlite3_bind_null(stmt, index);
    }
    if (rc != SQLITE_OK) {
      sqlite3_clear_bindings(stmt);
      return fail(record(rc, "SQLite cannot bind a parameter"));
    }
  }
  return stmt;
}

Status SqliteConnection::run(sqlite3_stmt* stmt, std::vector<Row>* rows) {
  Status status;
  for (;;) {
    const int rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW) {
      if (rows != nullptr) rows->push_back(read_row(stmt));
      continue;
    }
    if (rc != SQLITE_DONE) status = fail(record(rc, "SQLite statement failed"));
    break;
  }
  sqlite3_reset(stmt);
  sqlite3_clear_bindings(stmt);  // the borrowed parameters end here
  return status;
}

Result<std::vector<Row>> SqliteConnection::query(std::string_view sql,
                                                 std::span<const Param> params) {
  auto stmt = bind(sql, params);
  if (!stmt) return fail(std::move(stmt.error()));
  std::vector<Row> rows;
  if (auto status = run(*stmt, &rows); !status) return fail(std::move(status.error()));
  return rows;
}

Result<std::int64_t> SqliteConnection::exec(std::string_view sql, std::span<const Param> params) {
  auto stmt = bind(sql, params);
  if (!stmt) return fail(std::move(stmt.error()));
  const sqlite3_int64 before = sqlite3_total_changes64(db_);
  if (auto status = run(*stmt, nullptr); !status) return fail(std::move(status.error()));
  // sqlite3_changes64 keeps the count of the last INSERT/UPDATE/DELETE: a statement that
  // changed nothing (DDL, SELECT) reports 0, as PostgreSQL does.
  return sqlite3_total_changes64(db_) == before ? 0 : sqlite3_changes64(db_);
}

Status SqliteConnection::exec_script(std::string_view sql) {
  if (auto status = state_.check(); !status) return status;
  if (detail::highest_placeholder(sql, Dialect::kSqlite) > 0) {
    return fail(record(Error(ErrorCode::kInvalidArgument, "exec_script takes no parameters")));
  }
  return exec_plain(std::string(sql).c_str());
}

Status SqliteConnection::notify(std::string_view channel, std::string_view payload) {
  if (auto status = state_.check(); !status) return status;
  if (auto status = detail::validate_channel(channel); !status) return fail(record(status.error()));
  if (auto status = detail::validate_payload(payload); !status) return fail(record(status.error()));
  detail::Notification notification{std::string(channel), std::string(payload)};
  if (std::find(pending_.begin(), pending_.end(), notification) == pending_.end()) {
    pending_.push_back(std::move(notification));
  }
  return {};
}

Status SqliteConnection::begin(bool immediate) {
  rollback();  // a no-op, unless an exception left the previous transaction open
  state_.reset();
  return exec_plain(immediate ? "BEGIN IMMEDIATE" : "BEGIN");
}

Status SqliteConnection::commit() {
  return exec_plain("COMMIT");
}

void SqliteConnection::rollback() noexcept {
  // Some errors (busy, full, I/O) end the transaction by themselves.
  if (sqlite3_get_autocommit(db_) == 0) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
  pending_.clear();
}

}  // namespace common::sql::sqlite
