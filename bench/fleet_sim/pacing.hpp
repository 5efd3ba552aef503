// Small waits the phases share: a timer sleep on the running coroutine's executor, a wait
// for a condition polled every millisecond (phases meet at barriers this way: no locks on
// the request path), and a cap on handshakes in flight so that opening 10,000 connections
// does not overflow the server's accept backlog (waiters sleep; nothing polls).
#pragma once

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <atomic>
#include <chrono>
#include <deque>
#include <mutex>

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

// At most `limit` connection set-ups at once across all threads. A waiter parks on a timer
// that never expires; leave() hands its slot to the first waiter by cancelling that timer on
// the waiter's own thread (posted: it runs only once the waiter is suspended in async_wait).
class ConnectGate {
 public:
  explicit ConnectGate(int limit) : limit_(limit) {}
  boost::asio::awaitable<void> enter() {
    boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor,
                                    boost::asio::steady_timer::time_point::max());
    {
      std::lock_guard lock(mutex_);
      if (in_flight_ < limit_) {
        ++in_flight_;
        co_return;
      }
      waiters_.push_back(&timer);
    }
    (void)co_await timer.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
  }
  void leave() {
    std::lock_guard lock(mutex_);
    if (waiters_.empty()) {
      --in_flight_;
      return;
    }
    auto* next = waiters_.front();
    waiters_.pop_front();
    boost::asio::post(next->get_executor(), [next] { next->cancel(); });
  }

 private:
  const int limit_;
  std::mutex mutex_;
  int in_flight_ = 0;                               // guarded by mutex_
  std::deque<boost::asio::steady_timer*> waiters_;  // guarded by mutex_
};

inline std::int64_t steady_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace fleet_sim
