// ConnectionContext: the RequestContext the server lends each request of one connection,
// used by server.cpp only. wait_until() races a timer against the socket becoming readable
// (asio's parallel group: the loser is cancelled and both have completed when it returns);
// readable means the client closed, reset or sent bytes, told apart with a zero-timeout
// poll() for POLLRDHUP, which reads nothing, so neither the HTTP parser nor a TLS session
// loses a byte. cancel() is what stop() calls on a busy connection.
// Lifetime: the socket, clock and stopping flag outlive the context; the context outlives
// every request of its connection. Thread-safety: the connection's thread only.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include <atomic>

#include "common/http/request_context.hpp"

namespace common::http::detail {

class ConnectionContext final : public RequestContext {
 public:
  ConnectionContext(boost::asio::ip::tcp::socket& socket, const Clock& clock,
                    const std::atomic<bool>& stopping)
      : socket_(socket), clock_(clock), stopping_(stopping), timer_(socket.get_executor()) {}

  const Clock& clock() const noexcept override { return clock_; }
  CancelReason cancel_reason() const noexcept override;
  boost::asio::awaitable<bool> wait_until(std::chrono::steady_clock::time_point deadline) override;

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
};

}  // namespace common::http::detail
