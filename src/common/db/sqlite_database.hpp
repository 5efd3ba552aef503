// SqliteDatabase: one SQLite connection (RAII) opened in WAL mode with synchronous=FULL, so
// a committed transaction survives a crash, plus prepared Statements and scoped
// Transactions. Schema versions live in `PRAGMA user_version`; migrate() applies the
// numbered steps a data dir has not seen yet, each in its own transaction.
// Thread-safety: a connection is used by one thread at a time; callers serialise with
// their own mutex (the store that owns it says which).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>

#include "common/result.hpp"

struct sqlite3;
struct sqlite3_stmt;

namespace common::db {

class Statement {
 public:
  Statement(Statement&&) noexcept = default;
  Statement& operator=(Statement&&) noexcept = default;
  ~Statement();

  // Binds chain; a failed bind (bad index, out of memory) is remembered and returned by the
  // next step(), so a statement never runs with a parameter missing.
  Statement& bind(int index, std::string_view text);
  // Binds without SQLite copying the bytes (large values): REQUIRES that `text` outlives
  // every step() until the statement is reset.
  Statement& bind_borrowed(int index, std::string_view text);
  Statement& bind(int index, std::int64_t value);
  Statement& bind_null(int index);
  // Advances: true when a row is available, false when done; an Error on failure (or the
  // first failed bind).
  [[nodiscard]] Result<bool> step();
  // Runs to completion, discarding rows.
  [[nodiscard]] Status run();
  // Steps through every row, calling `visit` on each (it reads the columns); stops at the
  // first error, from SQLite or from `visit`.
  [[nodiscard]] Status for_each_row(const std::function<Status()>& visit);
  // Clears bindings and rewinds for reuse.
  void reset();
  // Rewinds and releases read locks but keeps the bindings.
  void rewind();

  std::string column_text(int index) const;
  std::int64_t column_int(int index) const;
  bool column_is_null(int index) const;

 private:
  friend class SqliteDatabase;
  struct Finalizer {
    void operator()(sqlite3_stmt* stmt) const noexcept;
  };
  Statement(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  Statement& check_bind(int rc);
  sqlite3* db_;
  std::unique_ptr<sqlite3_stmt, Finalizer> stmt_;
  int bind_rc_ = 0;  // SQLITE_OK, or the first failed bind's code
};

class SqliteDatabase;

// A lease on a connection's cached Statement; rewinds it when destroyed.
class CachedStatement {
 public:
  explicit CachedStatement(Statement* stmt) : stmt_(stmt) {}
  CachedStatement(CachedStatement&& other) noexcept : stmt_(std::exchange(other.stmt_, nullptr)) {}
  CachedStatement& operator=(CachedStatement&&) = delete;
  ~CachedStatement() {
    if (stmt_ != nullptr) stmt_->rewind();
  }
  Statement* operator->() const noexcept { return stmt_; }
  Statement& operator*() const noexcept { return *stmt_; }

 private:
  Statement* stmt_;
};

// Rolls back in its destructor unless commit() succeeded.
class Transaction {
 public:
  Transaction(Transaction&& other) noexcept;
  Transaction& operator=(Transaction&&) = delete;
  ~Transaction();
  [[nodiscard]] Status commit();

 private:
  friend class SqliteDatabase;
  explicit Transaction(SqliteDatabase* db) : db_(db) {}
  SqliteDatabase* db_;
};

// One migration: the SQL that moves the schema from version `version - 1` to `version`.
struct Migration {
  int version;
  std::string_view sql;
};

class SqliteDatabase {
 public:
  // Opens (creating if needed) `path`; kInternal/kCorruption when SQLite refuses.
  [[nodiscard]] static Result<std::unique_ptr<SqliteDatabase>> open(const std::string& path);
  ~SqliteDatabase();
  SqliteDatabase(const SqliteDatabase&) = delete;
  SqliteDatabase& operator=(const SqliteDatabase&) = delete;

  [[nodiscard]] Result<Statement> prepare(std::string_view sql);
  // A statement prepared once per connection and kept (for the hot paths), with its
  // bindings cleared. The lease rewinds it when it ends, so no read snapshot outlives the
  // caller's use. One user at a time, as the connection itself.
  [[nodiscard]] Result<CachedStatement> cached(std::string_view sql);
  [[nodiscard]] Status exec(std::string_view sql);
  // BEGIN IMMEDIATE: takes the write lock now so the transaction cannot fail to upgrade later.
  [[nodiscard]] Result<Transaction> begin();
  // BEGIN (deferred): a read transaction, so several SELECTs see one snapshot under WAL.
  [[nodiscard]] Result<Transaction> begin_read();
  // Applies the migrations whose version exceeds user_version, in order. kUnsupported when
  // the data dir was written by a newer binary.
  [[nodiscard]] Status migrate(std::span<const Migration> migrations);
  [[nodiscard]] Result<int> user_version();
  std::int64_t changes() const;

 private:
  friend class Statement;
  friend class Transaction;
  explicit SqliteDatabase(sqlite3* db) : db_(db) {}
  sqlite3* db_;
  std::unordered_map<std::string, Statement> cached_;
};

// The Error for SQLite result code `rc` on `db` (the one place sqlite codes become Errors).
// SQLite's own text goes into the detail, which never reaches a client.
Error sqlite_error(sqlite3* db, int rc, std::string_view what);

}  // namespace common::db
