// NatsLink: ground control's one connection to NATS and its JetStream context, with the
// command channel's streams declared (command_streams.hpp) once per connection: after the
// first connect and after every reconnect, since the server may have come back without
// its store. While NATS is down, jetstream() fails at once with kUnavailable, so the
// dispatcher leaves commands Pending and long-poll carries on; nothing waits on NATS.
// Ownership: owns the connection; the dispatcher and the intake borrow the link.
// Thread-safety: every call from any thread.
#pragma once

#include <atomic>
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
  // Connects with `options` (retrying in the background while no server answers).
  // `on_up` runs on libnats's thread each time the link comes (back) up: wake whoever has
  // work that waited for NATS. Errors: Connection::connect's (bad URL, unreadable TLS files).
  [[nodiscard]] static common::Result<std::unique_ptr<NatsLink>> open(
      common::nats::ConnectionOptions options, std::function<void()> on_up,
      common::log::Logger logger);
  ~NatsLink();
  NatsLink(const NatsLink&) = delete;
  NatsLink& operator=(const NatsLink&) = delete;

  [[nodiscard]] bool connected() const noexcept;
  // The JetStream context once the streams are in place on this connection. kUnavailable
  // while NATS is down; the streams' declaration error otherwise (retried on the next call).
  [[nodiscard]] common::Result<common::nats::JetStream*> jetstream();

 private:
  struct Epoch {
    std::atomic<std::uint64_t> value{1};  // bumped by every (re)connect
    std::function<void()> on_up;
  };
  NatsLink(std::shared_ptr<Epoch> epoch, common::log::Logger logger)
      : epoch_(std::move(epoch)), logger_(std::move(logger)) {}

  std::shared_ptr<Epoch> epoch_;  // shared with the connection's state callback
  common::log::Logger logger_;
  std::unique_ptr<common::nats::Connection> connection_;
  std::optional<common::nats::JetStream> jetstream_;
  std::mutex mutex_;                  // guards declared_epoch_
  std::uint64_t declared_epoch_ = 0;  // the epoch whose connection has the streams
};

}  // namespace groundcontrol::messaging
