// PgPool: at most `size` PgConnections to one database, opened on demand and lent one
// transaction at a time through a Lease (RAII: returns the connection when destroyed). A
// connection found unusable (lost, or closed by the server while idle) is discarded and a
// new one opened in its place, so the pool heals after a server restart.
// Owns the idle connections; must outlive its Leases. Thread-safe.
#pragma once

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <utility>
#include <vector>

#include "common/sql/postgres/pg_connection.hpp"

namespace common::sql::postgres {

class PgPool {
 public:
  class Lease {
   public:
    Lease(PgPool* pool, std::unique_ptr<PgConnection> conn) noexcept
        : pool_(pool), conn_(std::move(conn)) {}
    Lease(Lease&& other) noexcept
        : pool_(std::exchange(other.pool_, nullptr)), conn_(std::move(other.conn_)) {}
    Lease& operator=(Lease&&) = delete;
    ~Lease() {
      if (pool_ != nullptr) pool_->release(std::move(conn_));
    }
    PgConnection& operator*() const noexcept { return *conn_; }
    PgConnection* operator->() const noexcept { return conn_.get(); }

   private:
    PgPool* pool_;
    std::unique_ptr<PgConnection> conn_;
  };

  PgPool(ConnectParams params, int size, std::chrono::milliseconds acquire_timeout,
         std::size_t statement_cache_size)
      : params_(std::move(params)),
        size_(size),
        acquire_timeout_(acquire_timeout),
        statement_cache_size_(statement_cache_size) {}

  // A usable connection: an idle one, else a new one while fewer than `size` exist, else
  // the first to be returned within acquire_timeout. kUnavailable when the wait times out
  // or a new connection cannot be opened.
  [[nodiscard]] Result<Lease> acquire();

 private:
  void release(std::unique_ptr<PgConnection> conn);

  const ConnectParams params_;
  const int size_;
  const std::chrono::milliseconds acquire_timeout_;
  const std::size_t statement_cache_size_;
  std::mutex mu_;  // guards idle_ and open_
  std::condition_variable returned_;
  std::vector<std::unique_ptr<PgConnection>> idle_;
  int open_ = 0;  // idle + leased + being opened
};

}  // namespace common::sql::postgres
