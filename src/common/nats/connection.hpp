// Connection: one client connection to NATS (libnats underneath, never visible here). It
// connects per ConnectionOptions, reconnects by itself and restores its subscriptions;
// callers only see state changes through the options' callbacks. Core NATS only (at most
// once); JetStream (stored, acknowledged) is JetStream's business, built on a Connection.
//
// Ownership: connect() returns the only owner. Subscriptions, JetStream contexts and pull
// subscriptions made from it must be destroyed before it. The destructor closes the
// connection and waits until libnats has delivered its last callback (kClosed), so nothing
// calls into a destroyed object. libnats's process-wide state (its threads, nats_Close) is
// left alone: only main may call nats_Close, after every Connection is gone.
//
// Thread-safety: every call is safe from any thread, except that the destructor and close()
// must not run inside one of this connection's callbacks or handlers.
#pragma once

#include <chrono>
#include <memory>
#include <string_view>

#include "common/nats/connection_options.hpp"
#include "common/nats/message.hpp"
#include "common/nats/subscription.hpp"
#include "common/result.hpp"

namespace common::nats {

namespace detail {
struct ConnectionCore;
}

class Connection {
 public:
  // A connection to one of options.servers. With retry_on_failed_connect (the default) a
  // server that is down is not an error: the result has connected() false and kConnected is
  // reported once it comes up. Errors: kInvalidArgument (no server, a bad URL, unreadable
  // TLS files, only one of the JWT callbacks), kUnavailable (no server answered and no
  // retry), kUnauthenticated (the server refused the credentials).
  [[nodiscard]] static Result<std::unique_ptr<Connection>> connect(ConnectionOptions options);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // True while a server link is up.
  bool connected() const noexcept;

  // Sends `data` (with `headers`) to `subject`, at most once. While reconnecting the message
  // waits in libnats's reconnect buffer. Errors: kUnavailable (closed, buffer full),
  // kInvalidArgument (bad subject), kTooLarge (above the server's max_payload).
  [[nodiscard]] Status publish(std::string_view subject, std::string_view data,
                               const Headers& headers = {});

  // Calls `handler` for every message on `subject` (wildcards allowed) until the returned
  // Subscription is destroyed; made while reconnecting, it reaches the server on reconnect.
  // Errors: kUnavailable (closed), kInvalidArgument (bad subject).
  [[nodiscard]] Result<Subscription> subscribe(std::string_view subject, MessageHandler handler);

  // Sends `data` to `subject` and waits for the first answer. Errors: kTimeout (no answer in
  // time, also while reconnecting), kUnavailable (no subscriber at all: "no responders";
  // closed).
  [[nodiscard]] Result<Message> request(std::string_view subject, std::string_view data,
                                        std::chrono::milliseconds timeout);

  // Waits until the server has processed everything sent so far. Errors: kTimeout (also
  // while reconnecting), kUnavailable (closed).
  [[nodiscard]] Status flush(std::chrono::milliseconds timeout);

  // Closes the connection for good (no reconnect); later calls fail with kUnavailable.
  // Idempotent; the destructor calls it.
  void close() noexcept;

 private:
  friend class JetStream;
  explicit Connection(std::unique_ptr<detail::ConnectionCore> core) noexcept;

  std::unique_ptr<detail::ConnectionCore> core_;
};

}  // namespace common::nats
