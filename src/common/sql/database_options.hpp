// DatabaseOptions and TxOptions: the knobs of a Database and of one transaction, each with
// its default. Plain data.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>

namespace common::sql {

struct DatabaseOptions {
  // PostgreSQL: the most connections the pool opens (lazily; the first listen() opens one
  // more, for the listener). SQLite: read connections for read_only transactions (writes
  // always use the one writer connection).
  int pool_size = 4;
  // How long a transaction waits for a free connection (or the SQLite writer) before it
  // fails with kUnavailable.
  std::chrono::milliseconds acquire_timeout{5000};
  // PostgreSQL: how long opening a connection may take (libpq connect_timeout, whole
  // seconds, at least 2), and how long listen() waits for its LISTEN to be in place.
  std::chrono::seconds connect_timeout{5};
  // PostgreSQL: the application_name the server shows in pg_stat_activity.
  std::string application_name = "common_sql";
  // PostgreSQL: the longest pause between the listener connection's reconnect attempts
  // (they start at 50 ms and double).
  std::chrono::milliseconds listener_reconnect_max{5000};
  // SQLite: how long a connection waits on another process's lock before SQLITE_BUSY
  // (then transact backs off and retries).
  std::chrono::milliseconds busy_timeout{5000};
  // Prepared statements kept per connection; when full the cache is emptied and refills
  // (the statements of a store are a fixed, small set).
  std::size_t statement_cache_size = 256;
  // PostgreSQL: a table every read-write transaction locks (IN EXCLUSIVE MODE) before its
  // snapshot is taken. Writers that all update one hot row of it (ground control's revision
  // counter) then queue for it instead of aborting one another with serialization failures,
  // which SERIALIZABLE reports for a row changed after the snapshot even when the update
  // waited for its lock. Readers are not blocked. Empty: no such lock. A plain identifier
  // (letters, digits, '_'); kInvalidArgument otherwise. SQLite: ignored (its one writer
  // already queues writers).
  std::string serialize_writes_on;
};

struct TxOptions {
  // Runs on a read connection (SQLite) / as READ ONLY (PostgreSQL): writes fail.
  bool read_only = false;
  // Runs of the whole function, counting the first, on serialization failure, deadlock,
  // SQLite busy or a connection lost before COMMIT; then transact returns the last error
  // (as kUnavailable).
  int max_attempts = 10;
  // PostgreSQL: skips DatabaseOptions::serialize_writes_on for a hot write known not to
  // update that table (batched heartbeats, leases), so it runs beside the queued writers.
  // One that does update it after all is still correct: it may conflict and retry.
  bool unqueued = false;
};

}  // namespace common::sql
