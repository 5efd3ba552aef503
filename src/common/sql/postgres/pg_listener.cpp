#include "common/sql/postgres/pg_listener.hpp"

#include <libpq-fe.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <system_error>
#include <vector>

namespace common::sql::postgres {
namespace {

constexpr auto kFirstReconnectDelay = std::chrono::milliseconds(50);

int to_ms(std::chrono::microseconds duration) {
  return static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(duration).count());
}

// LISTEN/UNLISTEN `channel`, quoted by libpq ("" on failure: the connection is broken).
std::string command(pg_conn* conn, const char* verb, const std::string& channel) {
  char* quoted = PQescapeIdentifier(conn, channel.data(), channel.size());
  if (quoted == nullptr) return {};
  std::string sql = std::string(verb) + " " + quoted + ";";
  PQfreemem(quoted);
  return sql;
}

void deliver_pending(pg_conn* conn, detail::NotificationHub& hub) {
  std::vector<detail::Notification> batch;
  while (PGnotify* notify = PQnotifies(conn)) {
    batch.push_back({notify->relname, notify->extra});
    PQfreemem(notify);
  }
  hub.deliver(std::move(batch));
}

}  // namespace

Result<std::unique_ptr<PgListener>> PgListener::start(ConnectParams params,
                                                      std::shared_ptr<detail::NotificationHub> hub,
                                                      std::chrono::milliseconds connect_timeout,
                                                      std::chrono::milliseconds reconnect_max) {
  fs::UniqueFd wake_fd(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
  if (!wake_fd) return fail(ErrorCode::kInternal, "cannot create an eventfd", std::strerror(errno));
  std::unique_ptr<PgListener> listener(new PgListener(
      std::move(params), std::move(hub), connect_timeout, reconnect_max, std::move(wake_fd)));
  try {
    listener->thread_ = std::thread([raw = listener.get()] { raw->run(); });
  } catch (const std::system_error& error) {
    return fail(ErrorCode::kInternal, "cannot start the PostgreSQL listener thread", error.what());
  }
  return listener;
}

PgListener::PgListener(ConnectParams params, std::shared_ptr<detail::NotificationHub> hub,
                       std::chrono::milliseconds connect_timeout,
                       std::chrono::milliseconds reconnect_max, fs::UniqueFd wake_fd)
    : params_(std::move(params)),
      hub_(std::move(hub)),
      connect_timeout_(connect_timeout),
      backoff_(kFirstReconnectDelay, std::max(reconnect_max, kFirstReconnectDelay)),
      wake_fd_(std::move(wake_fd)) {}

PgListener::~PgListener() {
  stopping_ = true;
  wake();
  if (thread_.joinable()) thread_.join();
}

void PgListener::wake() noexcept {
  const std::uint64_t one = 1;
  [[maybe_unused]] auto written = ::write(wake_fd_.get(), &one, sizeof one);  // EAGAIN: pending
}

void PgListener::drain_wake_fd() noexcept {
  std::uint64_t count = 0;
  [[maybe_unused]] auto read = ::read(wake_fd_.get(), &count, sizeof count);
}

Status PgListener::wait_listening(const std::string& channel, std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  if (changed_.wait_for(lock, timeout, [&] { return connected_ && listened_.contains(channel); })) {
    return {};
  }
  return fail(ErrorCode::kUnavailable, "PostgreSQL LISTEN is not in place",
              "channel " + channel + (connected_ ? "" : ": the listener connection is down"));
}

bool PgListener::wait(int fd, short events, int timeout_ms, bool& ready) {
  pollfd fds[2] = {{wake_fd_.get(), POLLIN, 0}, {fd, events, 0}};
  const nfds_t count = fd >= 0 ? 2 : 1;
  ready = false;
  if (::poll(fds, count, timeout_ms) > 0) {
    if (fds[0].revents != 0) drain_wake_fd();
    ready = count == 2 && fds[1].revents != 0;
  }
  return !stopping_;
}

PgConn PgListener::connect() {
  auto started = params_.connect_start();
  if (!started) return nullptr;
  PgConn conn = std::move(*started);
  const auto deadline = std::chrono::steady_clock::now() + connect_timeout_;
  // libpq: behave as if PQconnectPoll had just asked for writing.
  PostgresPollingStatusType status = PGRES_POLLING_WRITING;
  while (status != PGRES_POLLING_OK) {
    if (status == PGRES_POLLING_FAILED) return nullptr;
    const auto left = std::chrono::duration_cast<std::chrono::microseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return nullptr;
    bool ready = false;
    const short events = status == PGRES_POLLING_READING ? POLLIN : POLLOUT;
    if (!wait(PQsocket(conn.get()), events, to_ms(left) + 1, ready)) return nullptr;
    if (ready) status = PQconnectPoll(conn.get());
  }
  return conn;
}

bool PgListener::sync_channels(pg_conn* conn) {
  const std::vector<std::string> desired = hub_->channels();
  std::string sql;
  {
    std::lock_guard lock(mu_);
    for (const auto& channel : desired) {
      if (!listened_.contains(channel)) sql += command(conn, "LISTEN", channel);
    }
    for (const auto& channel : listened_) {
      if (!std::binary_search(desired.begin(), desired.end(), channel)) {
        sql += command(conn, "UNLISTEN", channel);
      }
    }
  }
  if (!sql.empty()) {
    PgResult result(PQexec(conn, sql.c_str()));
    if (PQresultStatus(result.get()) != PGRES_COMMAND_OK) return false;
    deliver_pending(conn, *hub_);  // PQexec may have read some
  }
  {
    std::lock_guard lock(mu_);
    listened_ = std::set<std::string, std::less<>>(desired.begin(), desired.end());
    connected_ = true;
  }
  changed_.notify_all();
  return true;
}

bool PgListener::receive(pg_conn* conn) {
  if (PQconsumeInput(conn) == 0) return false;
  deliver_pending(conn, *hub_);
  return PQstatus(conn) == CONNECTION_OK;
}

void PgListener::run() {
  bool was_connected = false;
  int failures = 0;
  while (!stopping_) {
    PgConn conn = connect();
    if (conn == nullptr || !sync_channels(conn.get())) {
      conn.reset();
      bool ready = false;
      if (!wait(-1, 0, to_ms(backoff_.delay(++failures)), ready)) break;
      continue;
    }
    failures = 0;
    // LISTEN is in place again: what was sent while it was not is lost.
    if (was_connected) hub_->resync();
    was_connected = true;
    for (;;) {
      bool ready = false;
      if (!wait(PQsocket(conn.get()), POLLIN, -1, ready)) break;
      if (ready && !receive(conn.get())) break;
      if (!sync_channels(conn.get())) break;  // after a wake; a no-op when nothing changed
    }
    {
      std::lock_guard lock(mu_);
      connected_ = false;
      listened_.clear();
    }
    conn.reset();
    failures = 1;  // the server just went away: pause before the first reconnect
    bool ready = false;
    if (!stopping_ && !wait(-1, 0, to_ms(backoff_.delay(failures)), ready)) break;
  }
}

}  // namespace common::sql::postgres
