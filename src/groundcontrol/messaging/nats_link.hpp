// NatsLink: ground control's connection to NATS and its JetStream context, with the command
// channel's streams declared (command_streams.hpp) once per connection: after the first
// connect and after every reconnect, since the server may have come back without its store.
// libnats reconnects by itself, except after the server refused the credentials twice in a
// row (a misconfigured server, libnats 3.4.1's dropped nonce signature twice): it then
// closes the connection for good, and the next session() opens a new one, so ground control
// never needs a restart to get NATS back. While NATS is down, session() fails at once with
// kUnavailable: the dispatcher leaves commands Pending and long-poll carries on.
// Ownership: owns the current Session; users hold a Session (shared) while they use it, so
// a replaced one lives until its last user lets go. Thread-safety: every call, any thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>

#include "common/log/logger.hpp"
#include "common/nats/connection.hpp"
#include "common/nats/jetstream.hpp"
#include "common/result.hpp"

namespace groundcontrol::messaging {

class NatsLink {
 public:
  // One connection and its JetStream context. A PullSubscription bound through it must be
  // dropped with it; `closed` says libnats gave up on it (bind again through a new one).
  struct Session {
    std::unique_ptr<common::nats::Connection> connection;
    std::optional<common::nats::JetStream> jetstream;
    std::atomic<bool> closed{false};
    ~Session() {
      jetstream.reset();
      connection.reset();  // waits for its last callback
    }
  };

  // Connects with `options` (retrying in the background while no server answers).
  // `on_up` runs on libnats's thread each time a connection comes (back) up: wake whoever
  // has work that waited for NATS. Errors: Connection::connect's (bad URL, unreadable TLS).
  [[nodiscard]] static common::Result<std::unique_ptr<NatsLink>> open(
      common::nats::ConnectionOptions options, std::function<void()> on_up,
      common::log::Logger logger);
  ~NatsLink();
  NatsLink(const NatsLink&) = delete;
  NatsLink& operator=(const NatsLink&) = delete;

  [[nodiscard]] bool connected() const;
  // The current session once the streams are in place on it. kUnavailable while NATS is
  // down; the streams' declaration error otherwise (retried on the next call).
  [[nodiscard]] common::Result<std::shared_ptr<Session>> session();

 private:
  struct Shared {
    std::atomic<std::uint64_t> epoch{1};  // bumped by every (re)connect
    std::function<void()> on_up;
  };
  NatsLink(common::nats::ConnectionOptions options, std::shared_ptr<Shared> shared,
           common::log::Logger logger)
      : options_(std::move(options)), shared_(std::move(shared)), logger_(std::move(logger)) {}
  // A new connection and context (the caller holds mutex_ or is open()).
  [[nodiscard]] common::Result<std::shared_ptr<Session>> connect() const;

  const common::nats::ConnectionOptions options_;  // with our callbacks, for every connect
  std::shared_ptr<Shared> shared_;                 // shared with the state callbacks
  common::log::Logger logger_;
  mutable std::mutex mutex_;  // guards current_ and declared_epoch_
  std::shared_ptr<Session> current_;
  std::uint64_t declared_epoch_ = 0;  // the epoch whose connection has the streams
};

}  // namespace groundcontrol::messaging
