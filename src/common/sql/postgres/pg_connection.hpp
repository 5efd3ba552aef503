// PgConnection: one libpq connection (RAII) as a Connection, with its prepared statements
// (PQprepare once per distinct SQL text and parameter types, named s1, s2, ... per
// connection) and the bookkeeping of the transaction in progress. PgPool owns it while idle,
// a transaction while leased. Also ConnectParams, the libpq settings every connection of a
// Database is opened with.
// Thread-safety: one thread at a time.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "common/sql/connection.hpp"
#include "common/sql/detail/tx_state.hpp"

struct pg_conn;
struct pg_result;

namespace common::sql::postgres {

struct PgResultDeleter {
  void operator()(pg_result* result) const noexcept;
};
using PgResult = std::unique_ptr<pg_result, PgResultDeleter>;

struct PgConnDeleter {
  void operator()(pg_conn* conn) const noexcept;
};
using PgConn = std::unique_ptr<pg_conn, PgConnDeleter>;

// libpq connection keywords and values, in order: "dbname" carries the URL and is
// expanded, so settings before it are defaults the URL may override and settings after it
// win over the URL.
struct ConnectParams {
  std::vector<std::pair<std::string, std::string>> settings;

  // Connects (blocking up to connect_timeout); kUnavailable with libpq's reason on failure.
  // The connection's notices (e.g. "relation exists, skipping") are discarded.
  [[nodiscard]] Result<PgConn> connect() const;
  // Starts a non-blocking connect (PQconnectStartParams); poll it with PQconnectPoll.
  [[nodiscard]] Result<PgConn> connect_start() const;
};

// How a transaction begins.
enum class BeginMode {
  kSerializable,          // BEGIN ISOLATION LEVEL SERIALIZABLE
  kSerializableReadOnly,  // ... READ ONLY
  kMigration,             // READ COMMITTED, then pg_advisory_xact_lock(kMigrationLockKey)
};

class PgConnection final : public Connection {
 public:
  PgConnection(PgConn conn, std::size_t statement_cache_size)
      : conn_(std::move(conn)), cache_size_(statement_cache_size) {}
  ~PgConnection() override;

  Dialect dialect() const noexcept override { return Dialect::kPostgres; }
  [[nodiscard]] Result<std::vector<Row>> query(std::string_view sql,
                                               std::span<const Param> params) override;
  [[nodiscard]] Result<std::int64_t> exec(std::string_view sql,
                                          std::span<const Param> params) override;
  [[nodiscard]] Status exec_script(std::string_view sql) override;
  [[nodiscard]] Status notify(std::string_view channel, std::string_view payload) override;
  using Connection::exec;
  using Connection::query;

  // Starts a transaction and a fresh attempt; with a non-empty `lock_table` (a plain
  // identifier) locks it IN EXCLUSIVE MODE before any snapshot. Errors as Connection's.
  [[nodiscard]] Status begin(BeginMode mode, std::string_view lock_table = {});
  // COMMIT. A connection lost here leaves the outcome unknown: kUnavailable, not retryable.
  [[nodiscard]] Status commit();
  // Ends any open transaction (a no-op on a lost connection).
  void rollback() noexcept;
  const detail::TxState& state() const noexcept { return state_; }
  // False once the connection is unusable; for an idle connection also checks, without
  // blocking, that the server has not closed it (a restart, an idle timeout).
  bool usable();

 private:
  struct TextHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view text) const noexcept {
      return std::hash<std::string_view>{}(text);
    }
  };
  // The result of one prepared statement (cached), or its recorded failure.
  [[nodiscard]] Result<PgResult> run(std::string_view sql, std::span<const Param> params);
  [[nodiscard]] Result<std::string> prepared_name(std::string_view sql, std::string_view key,
                                                  const std::vector<unsigned>& types);
  // A simple-protocol command (no parameters, not cached).
  [[nodiscard]] Result<PgResult> simple(const char* sql);
  Error record(const pg_result* result, std::string_view what);
  Error record(Error error) { return state_.record(std::move(error), false); }

  PgConn conn_;
  std::size_t cache_size_;
  std::unordered_map<std::string, std::string, TextHash, std::equal_to<>> cache_;  // key -> name
  std::size_t next_name_ = 1;
  detail::TxState state_;
  bool lost_ = false;         // connection unusable
  bool flush_cache_ = false;  // a cached plan went stale: DEALLOCATE ALL after rollback
};

}  // namespace common::sql::postgres
