// RequestContext: what a handler may ask of the server beyond the request itself: the time,
// through the Clock injected into the server, and whether the request still matters. A
// request is cancelled when the server stops (stop() was called) or its client went away;
// a disconnect is noticed only while the handler waits in wait_until(), which watches the
// connection for that time (so a handler that never parks costs nothing). Cancellation is
// sticky: once cancelled, every later wait returns at once.
// The server builds one per connection and lends it to each request (Request::context); it
// stays valid until the handler's awaitable completes.
// Thread-safety: use it from the handler's coroutine only (the connection's thread).
#pragma once

#include <boost/asio/awaitable.hpp>

#include <chrono>

#include "common/clock.hpp"
#include "common/http/wakeup.hpp"

namespace common::http {

// How a wait_until() with a Wakeup ended.
enum class WaitResult {
  kDeadline,   // the deadline came
  kWoken,      // the Wakeup fired (before or during the wait)
  kCancelled,  // the request was cancelled (see cancel_reason())
};

enum class CancelReason {
  kNone,            // not cancelled
  kClientGone,      // the client closed or reset its connection
  kServerStopping,  // Server::stop() was called
};

class RequestContext {
 public:
  virtual ~RequestContext() = default;

  // The server's Clock.
  virtual const Clock& clock() const noexcept = 0;
  // Why the request was cancelled; kNone while it was not.
  virtual CancelReason cancel_reason() const noexcept = 0;
  bool cancelled() const noexcept { return cancel_reason() != CancelReason::kNone; }

  // Waits until clock().steady_now() reaches `deadline` (the wait is a real timer for the
  // time remaining when it starts) or the request is cancelled, whichever comes first, while
  // watching the client's connection. True when the deadline came, false when cancelled
  // (at once when the request already is). A client that sends bytes while the handler
  // waits (a pipelined request) is watched less closely: its disconnect is noticed within
  // about a second of the bytes, and not at all afterwards.
  boost::asio::awaitable<bool> wait_until(std::chrono::steady_clock::time_point deadline) {
    co_return co_await wait_until(deadline, nullptr) == WaitResult::kDeadline;
  }
  // The same wait, which also ends when `wakeup` fires (kWoken; at once when it already
  // has). Cancellation wins over a fired wakeup, and a fired wakeup over the deadline.
  virtual boost::asio::awaitable<WaitResult> wait_until(
      std::chrono::steady_clock::time_point deadline, Wakeup* wakeup) = 0;
  // wait_until(clock().steady_now() + duration).
  boost::asio::awaitable<bool> wait_for(std::chrono::steady_clock::duration duration) {
    return wait_until(clock().steady_now() + duration);
  }
};

}  // namespace common::http
