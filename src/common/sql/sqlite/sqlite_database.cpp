#include "common/sql/sqlite/sqlite_database.hpp"

#include <condition_variable>
#include <utility>
#include <vector>

#include "common/sql/detail/notification_hub.hpp"
#include "common/sql/sqlite/sqlite_connection.hpp"

namespace common::sql::sqlite {
namespace {

// One attempt on `conn`: BEGIN, fn, COMMIT; rolls back on any failure. On success the
// committed notifications are moved to `committed`.
detail::Attempt run_attempt(SqliteConnection& conn, bool immediate, const TxFunction& fn,
                            std::vector<detail::Notification>& committed) {
  Status status = conn.begin(immediate);
  if (status) status = fn(conn);
  if (status && conn.state().first_error()) status = fail(*conn.state().first_error());
  if (status) status = conn.commit();
  if (!status) {
    const bool retry = conn.state().retryable();
    conn.rollback();
    return {std::move(status), retry};
  }
  committed = conn.take_notifications();
  return {};
}

}  // namespace

// The read connections, lent one transaction at a time.
class SqliteDatabase::ReaderPool {
 public:
  explicit ReaderPool(std::vector<std::unique_ptr<SqliteConnection>> idle)
      : idle_(std::move(idle)) {}

  // Lends one connection; gives it back when destroyed.
  class Lease {
   public:
    Lease(ReaderPool& pool, std::unique_ptr<SqliteConnection> conn)
        : pool_(pool), conn_(std::move(conn)) {}
    Lease(Lease&& other) noexcept = default;
    ~Lease() {
      if (conn_ != nullptr) pool_.release(std::move(conn_));
    }
    SqliteConnection& operator*() const noexcept { return *conn_; }

   private:
    ReaderPool& pool_;
    std::unique_ptr<SqliteConnection> conn_;
  };

  // A free connection, waiting up to `timeout`; kUnavailable when none frees up.
  Result<Lease> acquire(std::chrono::milliseconds timeout) {
    std::unique_lock lock(mu_);
    if (!freed_.wait_for(lock, timeout, [&] { return !idle_.empty(); })) {
      return fail(ErrorCode::kUnavailable, "no SQLite read connection became free",
                  "all busy for " + std::to_string(timeout.count()) + " ms");
    }
    Lease lease(*this, std::move(idle_.back()));
    idle_.pop_back();
    return lease;
  }

 private:
  void release(std::unique_ptr<SqliteConnection> conn) {
    {
      std::lock_guard lock(mu_);
      idle_.push_back(std::move(conn));
    }
    freed_.notify_one();
  }

  std::mutex mu_;  // guards idle_
  std::condition_variable freed_;
  std::vector<std::unique_ptr<SqliteConnection>> idle_;
};

Result<std::unique_ptr<SqliteDatabase>> SqliteDatabase::open(const std::string& path,
                                                             const DatabaseOptions& options) {
  if (path.empty() || path == ":memory:") {
    return fail(ErrorCode::kInvalidArgument, "SQLite database must be a file path");
  }
  SqliteConnection::Settings settings{options.busy_timeout, options.statement_cache_size, false};
  auto writer = SqliteConnection::open(path, settings);
  if (!writer) return fail(std::move(writer.error()));
  settings.reader = true;
  std::vector<std::unique_ptr<SqliteConnection>> readers;
  for (int i = 0; i < options.pool_size; ++i) {
    auto reader = SqliteConnection::open(path, settings);
    if (!reader) return fail(std::move(reader.error()));
    readers.push_back(std::move(*reader));
  }
  return std::unique_ptr<SqliteDatabase>(new SqliteDatabase(
      options, std::move(*writer), std::make_unique<ReaderPool>(std::move(readers))));
}

SqliteDatabase::SqliteDatabase(const DatabaseOptions& options,
                               std::unique_ptr<SqliteConnection> writer,
                               std::unique_ptr<ReaderPool> readers)
    : options_(options),
      writer_(std::move(writer)),
      readers_(std::move(readers)),
      hub_(std::make_shared<detail::NotificationHub>()),
      backoff_(std::chrono::milliseconds(2), std::chrono::milliseconds(100)) {}

SqliteDatabase::~SqliteDatabase() = default;

detail::Attempt SqliteDatabase::write_attempt(const TxFunction& fn) {
  std::unique_lock lock(writer_mu_, std::defer_lock);
  if (!lock.try_lock_for(options_.acquire_timeout)) {
    return {fail(ErrorCode::kUnavailable, "the SQLite writer did not become free",
                 "busy for " + std::to_string(options_.acquire_timeout.count()) + " ms"),
            false};
  }
  std::vector<detail::Notification> committed;
  detail::Attempt attempt = run_attempt(*writer_, true, fn, committed);
  hub_->enqueue(std::move(committed));  // under the writer: the queue is in commit order
  lock.unlock();
  hub_->drain();
  return attempt;
}

detail::Attempt SqliteDatabase::read_attempt(const TxFunction& fn) {
  std::vector<detail::Notification> committed;
  detail::Attempt attempt;
  {
    auto lease = readers_->acquire(options_.acquire_timeout);
    if (!lease) return {fail(std::move(lease.error())), false};
    attempt = run_attempt(**lease, false, fn, committed);
  }
  hub_->deliver(std::move(committed));
  return attempt;
}

Status SqliteDatabase::transact(const TxFunction& fn, const TxOptions& options) {
  return detail::retry_transaction(options.max_attempts, backoff_, [&] {
    return options.read_only ? read_attempt(fn) : write_attempt(fn);
  });
}

Result<Subscription> SqliteDatabase::listen(std::string channel, PayloadCallback on_payload,
                                            ResyncCallback on_resync) {
  if (auto status = detail::validate_channel(channel); !status) return fail(status.error());
  if (hub_->in_callback()) {
    return fail(ErrorCode::kInvalidArgument, "listen() called from a notification callback");
  }
  const auto id = hub_->subscribe(std::move(channel), std::move(on_payload), std::move(on_resync));
  return Subscription(hub_, id);
}

}  // namespace common::sql::sqlite
