// Small waits the phases share: a timer sleep on the running coroutine's executor, a wait
// for a condition polled every millisecond (phases meet at barriers this way: no locks on
// the request path), and a cap on handshakes in flight so that opening 10,000 connections
// does not overflow the server's accept backlog.
#pragma once

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <atomic>
#include <chrono>

namespace fleet_sim {

inline boost::asio::awaitable<void> sleep_for(std::chrono::steady_clock::duration d) {
  boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor, d);
  (void)co_await timer.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
}

// Waits until `done()` holds or `timeout` passes; true when it held.
template <class Condition>
boost::asio::awaitable<bool> wait_until(
    Condition done, std::chrono::steady_clock::duration timeout,
    std::chrono::milliseconds step = std::chrono::milliseconds(1)) {
  const auto give_up = std::chrono::steady_clock::now() + timeout;
  while (!done()) {
    if (std::chrono::steady_clock::now() >= give_up) co_return false;
    co_await sleep_for(step);
  }
  co_return true;
}

// At most `limit` connection set-ups at once across all threads.
class ConnectGate {
 public:
  explicit ConnectGate(int limit) : limit_(limit) {}
  boost::asio::awaitable<void> enter() {
    for (;;) {
      int now = in_flight_.load(std::memory_order_relaxed);
      if (now < limit_ && in_flight_.compare_exchange_weak(now, now + 1)) co_return;
      co_await sleep_for(std::chrono::milliseconds(1));
    }
  }
  void leave() { in_flight_.fetch_sub(1); }

 private:
  const int limit_;
  std::atomic<int> in_flight_{0};
};

inline std::int64_t steady_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace fleet_sim
