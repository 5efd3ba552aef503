// ConnectionDeadline: the one timer of a connection, used by server.cpp and BeastBodyReader
// only. Each step of the request path says how long it may take from now (expect_within:
// the idle timeout for a request header, the I/O timeout for a body read or a response
// write) or that no limit applies (suspend, while the handler runs); that costs a clock read
// and two stores, no timer operation. The timer is armed once per connection and re-armed
// only when it fires: it then compares now with the current step's due time and either
// re-arms for the rest or closes the socket, so every pending operation on the connection
// fails and expired() says why. The timer never waits longer than the shortest limit, so a
// step with a shorter limit than the pending wait is still cut off on time; a steady
// keep-alive connection therefore costs one timer operation per shortest limit, not two per
// request.
// Lifetime: the timer's handler shares the state with the deadline, so a wait completing
// after the connection ended never touches freed memory; the socket must outlive the
// deadline. Thread-safety: one connection's thread only.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include <algorithm>
#include <chrono>
#include <memory>

namespace common::http::detail {

class ConnectionDeadline {
 public:
  using Clock = std::chrono::steady_clock;

  // Arms the timer for `granularity`, the shortest limit any step will ask for.
  ConnectionDeadline(boost::asio::ip::tcp::socket& socket, Clock::duration granularity)
      : state_(std::make_shared<State>(socket, std::max(granularity, Clock::duration(1)))) {
    arm(state_, Clock::now() + state_->granularity);
  }
  ~ConnectionDeadline() {
    state_->socket = nullptr;
    state_->timer.cancel();
  }
  ConnectionDeadline(const ConnectionDeadline&) = delete;
  ConnectionDeadline& operator=(const ConnectionDeadline&) = delete;

  // The current step must finish within `limit` from now (limit >= granularity).
  void expect_within(Clock::duration limit) {
    state_->due = Clock::now() + limit;
    state_->active = true;
  }
  // No limit until the next expect_within (a handler is running).
  void suspend() { state_->active = false; }
  // True once the deadline closed the socket.
  bool expired() const { return state_->expired; }

 private:
  struct State {
    State(boost::asio::ip::tcp::socket& s, Clock::duration g)
        : socket(&s), timer(s.get_executor()), granularity(g) {}
    boost::asio::ip::tcp::socket* socket;  // null once the deadline is gone
    boost::asio::steady_timer timer;
    Clock::duration granularity;
    Clock::time_point due{};
    bool active = false;
    bool expired = false;
  };

  static void arm(const std::shared_ptr<State>& state, Clock::time_point at) {
    state->timer.expires_at(at);
    state->timer.async_wait([state](boost::system::error_code ec) {
      if (ec || state->socket == nullptr) return;
      const auto now = Clock::now();
      if (!state->active || now < state->due) {
        const auto next = now + state->granularity;
        return arm(state, state->active ? std::min(state->due, next) : next);
      }
      state->expired = true;
      boost::system::error_code ignored;
      state->socket->close(ignored);
    });
  }

  std::shared_ptr<State> state_;
};

}  // namespace common::http::detail
