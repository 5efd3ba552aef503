// PgListener: the one dedicated connection of a PgDatabase that LISTENs, on its own thread,
// to every channel the NotificationHub has subscribers for, and hands what arrives to the
// hub (so callbacks run on this thread). The thread waits in poll() on the connection's
// socket and an eventfd (channel changes, stop). When the server goes away it reconnects
// with capped, jittered back-off, LISTENs again and asks the hub to resync, since payloads
// sent meanwhile are lost. TCP keepalives detect a peer that vanished silently.
// Owned by PgDatabase; the destructor stops and joins the thread. Thread-safe.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>

#include "common/fs/unique_fd.hpp"
#include "common/sql/detail/notification_hub.hpp"
#include "common/sql/detail/retry.hpp"
#include "common/sql/postgres/pg_connection.hpp"

namespace common::sql::postgres {

class PgListener {
 public:
  // Starts the thread, which connects at once. kInternal when no eventfd or thread.
  [[nodiscard]] static Result<std::unique_ptr<PgListener>> start(
      ConnectParams params, std::shared_ptr<detail::NotificationHub> hub,
      std::chrono::milliseconds connect_timeout, std::chrono::milliseconds reconnect_max);
  ~PgListener();
  PgListener(const PgListener&) = delete;
  PgListener& operator=(const PgListener&) = delete;

  // The hub's channel set changed: LISTEN/UNLISTEN soon. Only signals; never blocks.
  void wake() noexcept;
  // Waits until `channel` is LISTENed on a live connection; kUnavailable after `timeout`.
  [[nodiscard]] Status wait_listening(const std::string& channel,
                                      std::chrono::milliseconds timeout);

 private:
  PgListener(ConnectParams params, std::shared_ptr<detail::NotificationHub> hub,
             std::chrono::milliseconds connect_timeout, std::chrono::milliseconds reconnect_max,
             fs::UniqueFd wake_fd);
  void run();
  // Connects without blocking past connect_timeout_ or a stop; null on failure or stop.
  PgConn connect();
  // Brings the connection's LISTEN set to the hub's; false when the connection failed.
  bool sync_channels(pg_conn* conn);
  // Reads what arrived and delivers it; false when the connection failed.
  bool receive(pg_conn* conn);
  // Waits for `events` on `fd` (or the wake fd) up to `timeout` (-1: forever). Returns
  // false when stopping; `ready` says whether `fd` is ready.
  bool wait(int fd, short events, int timeout_ms, bool& ready);
  void drain_wake_fd() noexcept;

  const ConnectParams params_;
  const std::shared_ptr<detail::NotificationHub> hub_;
  const std::chrono::milliseconds connect_timeout_;
  detail::Backoff backoff_;
  fs::UniqueFd wake_fd_;
  std::atomic<bool> stopping_{false};

  std::mutex mu_;  // guards listened_ and connected_
  std::condition_variable changed_;
  std::set<std::string, std::less<>> listened_;  // on the live connection
  bool connected_ = false;

  std::thread thread_;  // last: starts after everything above exists
};

}  // namespace common::sql::postgres
