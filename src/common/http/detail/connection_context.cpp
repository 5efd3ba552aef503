#include "common/http/detail/connection_context.hpp"

#include <poll.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/experimental/parallel_group.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>

namespace common::http::detail {
namespace {

namespace asio = boost::asio;
using SteadyClock = std::chrono::steady_clock;

// After the client sent bytes the socket stays readable, so a disconnect is looked for by
// polling: this often, this many times.
constexpr auto kRecheckEvery = std::chrono::milliseconds(50);
constexpr int kRechecks = 20;

}  // namespace

CancelReason ConnectionContext::cancel_reason() const noexcept {
  if (reason_ == CancelReason::kNone && stopping_.load(std::memory_order_relaxed))
    return CancelReason::kServerStopping;
  return reason_;
}

void ConnectionContext::cancel(CancelReason reason) {
  if (reason_ == CancelReason::kNone) reason_ = reason;
  timer_.cancel();
}

ConnectionContext::Peer ConnectionContext::probe() const {
  pollfd entry{socket_.native_handle(), POLLIN | POLLRDHUP, 0};
  if (::poll(&entry, 1, 0) <= 0) return Peer::kQuiet;
  if (entry.revents & (POLLRDHUP | POLLHUP | POLLERR | POLLNVAL)) return Peer::kGone;
  return entry.revents & POLLIN ? Peer::kSentBytes : Peer::kQuiet;
}

asio::awaitable<WaitResult> ConnectionContext::wait_until(SteadyClock::time_point deadline,
                                                          Wakeup* wakeup) {
  // The injected clock may be a fake: what is left of the wait becomes a real timer.
  const auto until = SteadyClock::now() + (deadline - clock_.steady_now());
  if (wakeup != nullptr) {
    wakeup->arm([executor = socket_.get_executor(), alive = std::weak_ptr(alive_)] {
      asio::post(executor, [alive] {
        if (const auto context = alive.lock()) (*context)->timer_.cancel();
      });
    });
  }
  // Whatever ends the wait, the wakeup stops pointing here.
  struct Disarm {
    Wakeup* wakeup;
    ~Disarm() {
      if (wakeup != nullptr) wakeup->disarm();
    }
  } disarm{wakeup};
  int rechecks = 0;  // polls left after the client sent bytes
  bool watching = true;
  for (;;) {
    if (cancelled()) co_return WaitResult::kCancelled;
    if (wakeup != nullptr && wakeup->fired()) co_return WaitResult::kWoken;
    const auto now = SteadyClock::now();
    if (now >= until) co_return WaitResult::kDeadline;
    if (watching) {
      timer_.expires_at(until);
      auto [order, timer_error, wait_error] =
          co_await asio::experimental::make_parallel_group(
              timer_.async_wait(asio::deferred),
              socket_.async_wait(asio::ip::tcp::socket::wait_read, asio::deferred))
              .async_wait(asio::experimental::wait_for_one(), asio::use_awaitable);
      if (order[0] == 0) continue;  // the deadline, cancel() or a wakeup: the loop's top tells
      const auto peer = wait_error ? Peer::kGone : probe();
      if (peer == Peer::kGone) cancel(CancelReason::kClientGone);
      if (peer == Peer::kSentBytes) {
        watching = false;  // readable from now on: poll instead
        rechecks = kRechecks;
      }
      continue;
    }
    // Not watching readiness: the timer alone, waking to poll while rechecks remain.
    timer_.expires_at(rechecks > 0 ? std::min(until, now + kRecheckEvery) : until);
    auto [ec] = co_await timer_.async_wait(asio::as_tuple(asio::use_awaitable));
    if (ec || rechecks == 0) continue;
    --rechecks;
    if (probe() == Peer::kGone) cancel(CancelReason::kClientGone);
  }
}

}  // namespace common::http::detail
