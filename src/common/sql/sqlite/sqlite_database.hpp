// SqliteDatabase: the embedded backend of Database (see database.hpp for the contract).
// One writer connection behind a timed mutex runs every read-write transaction with BEGIN
// IMMEDIATE, so writers never deadlock or lose updates and SQLITE_BUSY comes only from
// other processes; pool_size read connections (query_only) run read_only transactions
// concurrently on WAL snapshots. Notifications are in-process: queued by the transaction
// and delivered after its commit, once the writer is released.
// Owns its connections. Thread-safe.
#pragma once

#include <memory>
#include <mutex>
#include <string>

#include "common/sql/database.hpp"
#include "common/sql/detail/retry.hpp"

namespace common::sql::detail {
class NotificationHub;
}

namespace common::sql::sqlite {

class SqliteConnection;

class SqliteDatabase final : public Database {
 public:
  // Opens (creating) the file at `path` and pool_size read connections. kInvalidArgument for
  // an empty path, ":memory:" (each connection would see its own database) or bad options;
  // else as SqliteConnection::open.
  [[nodiscard]] static Result<std::unique_ptr<SqliteDatabase>> open(const std::string& path,
                                                                    const DatabaseOptions& options);
  ~SqliteDatabase() override;

  Dialect dialect() const noexcept override { return Dialect::kSqlite; }
  [[nodiscard]] Status transact(const TxFunction& fn, const TxOptions& options) override;
  [[nodiscard]] Result<Subscription> listen(std::string channel, PayloadCallback on_payload,
                                            ResyncCallback on_resync) override;

 private:
  class ReaderPool;
  SqliteDatabase(const DatabaseOptions& options, std::unique_ptr<SqliteConnection> writer,
                 std::unique_ptr<ReaderPool> readers);
  detail::Attempt write_attempt(const TxFunction& fn);
  detail::Attempt read_attempt(const TxFunction& fn);

  DatabaseOptions options_;
  std::timed_mutex writer_mu_;  // guards writer_ for one transaction at a time
  std::unique_ptr<SqliteConnection> writer_;
  std::unique_ptr<ReaderPool> readers_;
  std::shared_ptr<detail::NotificationHub> hub_;
  detail::Backoff backoff_;
};

}  // namespace common::sql::sqlite
