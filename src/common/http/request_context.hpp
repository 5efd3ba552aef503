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

namespace common::http {

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
  virtual boost::asio::awaitable<bool> wait_until(
      std::chrono::steady_clock::time_point deadline) = 0;
  // wait_until(clock().steady_now() + duration).
  boost::asio::awaitable<bool> wait_for(std::chrono::steady_clock::duration duration) {
    return wait_until(clock().steady_now() + duration);
  }
};

}  // namespace common::http
