#include "common/sql/postgres/pg_pool.hpp"

#include <string>

namespace common::sql::postgres {
Result<PgPool::Lease> PgPool::acquire() {
  const auto deadline = std::chrono::steady_clock::now() + acquire_timeout_;
  std::unique_lock lock(mu_);
  for (;;) {
    if (!idle_.empty()) {
      auto conn = std::move(idle_.back());  // the most recently used: warm caches
      idle_.pop_back();
      lock.unlock();
      if (conn->usable()) return Lease(this, std::move(conn));
      conn.reset();  // closed by the server: open a fresh one in its place
      lock.lock();
      --open_;
      continue;
    }
    if (open_ < size_) {
      ++open_;
      lock.unlock();
      auto conn = params_.connect();
      if (!conn) {
        lock.lock();
        --open_;
        returned_.notify_one();
        return fail(std::move(conn.error()));
      }
      return Lease(this, std::make_unique<PgConnection>(std::move(*conn), statement_cache_size_));
    }
    if (returned_.wait_until(lock, deadline) == std::cv_status::timeout && idle_.empty() &&
        open_ >= size_) {
      return fail(ErrorCode::kUnavailable, "no PostgreSQL connection became free",
                  "all " + std::to_string(size_) + " connections busy for " +
                      std::to_string(acquire_timeout_.count()) + " ms");
    }
  }
}

void PgPool::release(std::unique_ptr<PgConnection> conn) {
  conn->rollback();  // normally a no-op: the transaction ended
  const bool keep = conn->usable();
  if (!keep) conn.reset();  // closes outside the lock
  {
    std::lock_guard lock(mu_);
    if (keep) {
      idle_.push_back(std::move(conn));
    } else {
      --open_;
    }
  }
  returned_.notify_one();
}

}  // namespace common::sql::postgres
