// SqliteConnection: one sqlite3 handle (RAII) as a Connection, with its prepared
// statements (sqlite3_prepare_v3 PERSISTENT, cached by their SQL text, $N rewritten to ?N)
// and the bookkeeping of the transaction in progress: the doom rule of Connection and the
// notifications queued until commit. SqliteDatabase owns it and drives BEGIN/COMMIT.
// Thread-safety: one thread at a time (SqliteDatabase's writer mutex or reader pool).
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/sql/connection.hpp"
#include "common/sql/detail/notification_hub.hpp"
#include "common/sql/detail/tx_state.hpp"

struct sqlite3;
struct sqlite3_stmt;

namespace common::sql::sqlite {

class SqliteConnection final : public Connection {
 public:
  struct Settings {
    std::chrono::milliseconds busy_timeout{5000};
    std::size_t statement_cache_size = 256;
    bool reader = false;  // query_only: every write fails (read_only transactions)
  };

  // Opens `path` (the writer creates it) with WAL, synchronous=FULL, foreign_keys=ON and the
  // busy timeout. kInternal/kCorruption when SQLite refuses, kInternal when WAL is not
  // available on that file system.
  [[nodiscard]] static Result<std::unique_ptr<SqliteConnection>> open(const std::string& path,
                                                                      const Settings& settings);
  ~SqliteConnection() override;
  SqliteConnection(const SqliteConnection&) = delete;
  SqliteConnection& operator=(const SqliteConnection&) = delete;

  Dialect dialect() const noexcept override { return Dialect::kSqlite; }
  [[nodiscard]] Result<std::vector<Row>> query(std::string_view sql,
                                               std::span<const Param> params) override;
  [[nodiscard]] Result<std::int64_t> exec(std::string_view sql,
                                          std::span<const Param> params) override;
  [[nodiscard]] Status exec_script(std::string_view sql) override;
  [[nodiscard]] Status notify(std::string_view channel, std::string_view payload) override;
  using Connection::exec;
  using Connection::query;

  // BEGIN IMMEDIATE (`immediate`: takes the write lock now) or BEGIN; starts a fresh
  // attempt. Errors as in the header of Connection (kUnavailable when busy).
  [[nodiscard]] Status begin(bool immediate);
  // COMMIT. On error the transaction may still be open: call rollback().
  [[nodiscard]] Status commit();
  // Ends the transaction if one is open and drops the queued notifications.
  void rollback() noexcept;
  const detail::TxState& state() const noexcept { return state_; }
  // The notifications of the committed transaction, deduplicated, in notify() order.
  std::vector<detail::Notification> take_notifications() { return std::move(pending_); }

 private:
  struct Finalizer {
    void operator()(sqlite3_stmt* stmt) const noexcept;
  };
  using StatementPtr = std::unique_ptr<sqlite3_stmt, Finalizer>;
  struct TextHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view text) const noexcept {
      return std::hash<std::string_view>{}(text);
    }
  };

  SqliteConnection(sqlite3* db, const Settings& settings) : db_(db), settings_(settings) {}
  // The cached statement for `sql` with `params` bound (borrowed: reset before returning).
  [[nodiscard]] Result<sqlite3_stmt*> bind(std::string_view sql, std::span<const Param> params);
  [[nodiscard]] Result<sqlite3_stmt*> prepare(std::string_view sql);
  // Steps `stmt` to the end, appending its rows to `rows` when not null; resets it.
  [[nodiscard]] Status run(sqlite3_stmt* stmt, std::vector<Row>* rows);
  [[nodiscard]] Status exec_plain(const char* sql);  // outside the doom rule (BEGIN/COMMIT)
  Error record(int rc, std::string_view what);
  Error record(Error error) { return state_.record(std::move(error), false); }

  sqlite3* db_;
  Settings settings_;
  std::unordered_map<std::string, StatementPtr, TextHash, std::equal_to<>> cache_;
  detail::TxState state_;
  std::vector<detail::Notification> pending_;
};

}  // namespace common::sql::sqlite
