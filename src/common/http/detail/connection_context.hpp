// ConnectionContext: the RequestContext the server lends each request of one connection,
// used by server.cpp only. wait_until() races a timer against the socket becoming readable
// (asio's parallel group: the loser is cancelled and both have completed when it returns);
// readable means the client closed, reset or sent bytes, told apart with a zero-timeout
// poll() for POLLRDHUP, which reads nothing, so neither the HTTP parser nor a TLS session
// loses a byte. A Wakeup that fires cancels the timer through a post to the connection's
// thread. cancel() is what stop() calls on a busy connection.
// Lifetime: the socket, clock and stopping flag outlive the context; the context outlives
// every request of its connection. Thread-safety: the connection's thread only.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include <atomic>
#include <memory>

#include "common/http/request_context.hpp"

namespace common::http::detail {

class ConnectionContext final : public RequestContext {
 public:
  ConnectionContext(boost::asio::ip::tcp::socket& socket, const Clock& clock,
                    const std::atomic<bool>& stopping)
      : socket_(socket), clock_(clock), stopping_(stopping), timer_(socket.get_executor()) {}

  const Clock& clock() const noexcept override { return clock_; }
  CancelReason cancel_reason() const noexcept override;
  using RequestContext::wait_until;
  boost::asio::awaitable<WaitResult> wait_until(std::chrono::steady_clock::time_point deadline,
                                                Wakeup* wakeup) override;

  // Cancels the request in progress (and every later one) for `reason`; a wait in progress
  // returns false at once.
  void cancel(CancelReason reason);

 private:
  // What the client did, as far as a poll() without reading can tell.
  enum class Peer { kQuiet, kSentBytes, kGone };
  Peer probe() const;

  boost::asio::ip::tcp::socket& socket_;
  const Clock& clock_;
  const std::atomic<bool>& stopping_;
  boost::asio::steady_timer timer_;
  CancelReason reason_ = CancelReason::kNone;
  // A Wakeup's fire posts to this connection's thread; by then the wait (or the whole
  // context) may be gone, so the posted call reaches the context through this token, which
  // dies with it.
  std::shared_ptr<ConnectionContext*> alive_ = std::make_shared<ConnectionContext*>(this);
};

}  // namespace common::http::detail
