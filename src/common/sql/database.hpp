// Database: one SQL database behind either engine, as ground control uses it: serializable
// transactions with retries, notifications after commit, and numbered migrations.
// Database::open picks the backend from its argument: a postgres:// or postgresql:// URL
// opens PostgreSQL (a bounded pool of libpq connections, several processes may share the
// database); anything else is a SQLite file path (one writer connection behind a mutex plus
// pool_size read connections, WAL, synchronous=FULL, foreign_keys=ON; one process).
//
// Transactions are SERIALIZABLE on both engines (SQLite is by construction, PostgreSQL is
// told so): a read-modify-write inside transact() never loses an update. fn may therefore
// run more than once; it must have no effect outside the Connection except overwriting
// what it captured, and must not call transact() itself.
//
// Notifications: listen() callbacks run on the PostgreSQL listener thread, or, on SQLite,
// on a thread that just committed (perhaps another transaction's), after its commit and
// after the writer is released, in commit order. Callbacks of one subscription never run
// concurrently; keep them short (they delay every other delivery) and noexcept. They may
// call transact() and reset any Subscription, but not listen().
//
// Ownership: the caller owns the Database (unique_ptr); it owns its connections and, on
// PostgreSQL, the listener thread. Destroy it only when no transact() is running.
// Thread-safety: every call may be made from any number of threads at once. Every call
// blocks its thread on disk or network I/O: run it on the blocking pool (offload()), never
// on a network thread.
#pragma once

#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "common/result.hpp"
#include "common/sql/connection.hpp"
#include "common/sql/database_options.hpp"
#include "common/sql/dialect.hpp"
#include "common/sql/migration.hpp"
#include "common/sql/subscription.hpp"

namespace common::sql {

using TxFunction = std::function<Status(Connection&)>;
// Receives one committed payload of the subscribed channel.
using PayloadCallback = std::function<void(std::string_view payload)>;
// Called after the listener reconnected: payloads sent meanwhile were lost, so re-read the
// state they would have announced. May also come without a loss (harmless by design).
using ResyncCallback = std::function<void()>;

class Database {
 public:
  // Opens `url_or_path` (see above), verifying that the database answers. kInvalidArgument
  // for bad options or a malformed URL; kUnavailable when PostgreSQL cannot be reached;
  // kInternal/kCorruption when SQLite refuses the file.
  [[nodiscard]] static Result<std::unique_ptr<Database>> open(const std::string& url_or_path,
                                                              const DatabaseOptions& options = {});

  virtual ~Database() = default;
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  virtual Dialect dialect() const noexcept = 0;

  // BEGIN, fn(connection), COMMIT. Returns fn's error after rolling back, or the first error
  // of a statement fn ignored. Retries the whole fn (jittered back-off, up to
  // options.max_attempts) on serialization failure, deadlock, SQLite busy, or a connection
  // lost before COMMIT; then returns kUnavailable (the contention or outage is transient).
  // kUnavailable also when no connection frees up within acquire_timeout, or when the
  // connection is lost during COMMIT (outcome unknown: never retried).
  [[nodiscard]] virtual Status transact(const TxFunction& fn, const TxOptions& options = {}) = 0;

  // Readiness: OK when a connection answers a trivial query now; kUnavailable otherwise.
  [[nodiscard]] Status ping();

  // Subscribes to `channel`. When it returns OK every payload committed afterwards on the
  // channel (by any process sharing the database) reaches on_payload, unless the listener
  // connection drops: then on_resync runs after it is back. kInvalidArgument for a bad
  // channel name (see Connection::notify) or a call from a callback; kUnavailable when
  // PostgreSQL's LISTEN is not in place within connect_timeout.
  [[nodiscard]] virtual Result<Subscription> listen(std::string channel, PayloadCallback on_payload,
                                                    ResyncCallback on_resync = {}) = 0;

  // Applies the steps of `migrations` newer than the database, in order, each in its own
  // transaction (on PostgreSQL under pg_advisory_xact_lock, so replicas starting together
  // apply each step once). kUnsupported when the database is newer than the newest step
  // (written by a newer binary); kInvalidArgument for versions not > 0 and increasing; a
  // failing step's error (the database stays at the previous version).
  [[nodiscard]] Status migrate(std::span<const Migration> migrations);

  // The highest applied migration version; 0 for a database never migrated.
  [[nodiscard]] Result<int> schema_version();

 protected:
  Database() = default;

  // Runs one migration step: a write transaction that holds the cross-process migration
  // lock before it reads anything. The default is transact() (SQLite: BEGIN IMMEDIATE is
  // that lock); PostgreSQL overrides it. Errors as transact().
  [[nodiscard]] virtual Status transact_migration_step(const TxFunction& fn) {
    return transact(fn, TxOptions{});
  }
};

}  // namespace common::sql
