// PgDatabase: the PostgreSQL backend of Database (see database.hpp for the contract), for
// several replicas sharing one database. Transactions run on a bounded PgPool
// (SERIALIZABLE, retried on 40001/40P01 and on a connection lost before COMMIT);
// notifications go out with pg_notify inside the transaction (PostgreSQL delivers them on
// commit) and come in on one PgListener connection and thread, started by the first
// listen(). Every connection carries application_name and connect_timeout; the URL may
// carry any other libpq setting (sslmode, password, options, ...).
// Owns its pool and listener. Thread-safe.
#pragma once

#include <memory>
#include <mutex>
#include <string>

#include "common/sql/database.hpp"
#include "common/sql/detail/retry.hpp"
#include "common/sql/postgres/pg_connection.hpp"
#include "common/sql/postgres/pg_pool.hpp"

namespace common::sql::detail {
class NotificationHub;
}

namespace common::sql::postgres {

class PgListener;

class PgDatabase final : public Database {
 public:
  // Checks the URL (kInvalidArgument when libpq cannot parse it) and opens one connection
  // (kUnavailable when the server cannot be reached or refuses).
  [[nodiscard]] static Result<std::unique_ptr<PgDatabase>> open(const std::string& url,
                                                                const DatabaseOptions& options);
  ~PgDatabase() override;

  Dialect dialect() const noexcept override { return Dialect::kPostgres; }
  [[nodiscard]] Status transact(const TxFunction& fn, const TxOptions& options) override;
  [[nodiscard]] Result<Subscription> listen(std::string channel, PayloadCallback on_payload,
                                            ResyncCallback on_resync) override;

 protected:
  // READ COMMITTED after pg_advisory_xact_lock, so that the version read next is current.
  [[nodiscard]] Status transact_migration_step(const TxFunction& fn) override;

 private:
  PgDatabase(const DatabaseOptions& options, ConnectParams params);
  Status run(const TxFunction& fn, BeginMode mode, int max_attempts,
             std::string_view lock_table = {});
  detail::Attempt attempt(const TxFunction& fn, BeginMode mode, std::string_view lock_table);

  const DatabaseOptions options_;
  const ConnectParams params_;
  PgPool pool_;
  std::shared_ptr<detail::NotificationHub> hub_;
  detail::Backoff backoff_;
  std::mutex listener_mu_;  // guards creating listener_
  std::unique_ptr<PgListener> listener_;
};

}  // namespace common::sql::postgres
