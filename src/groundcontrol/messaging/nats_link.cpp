#include "groundcontrol/messaging/nats_link.hpp"

#include "groundcontrol/messaging/command_streams.hpp"

namespace groundcontrol::messaging {

using common::nats::ConnectionState;

common::Result<std::unique_ptr<NatsLink>> NatsLink::open(common::nats::ConnectionOptions options,
                                                         std::function<void()> on_up,
                                                         common::log::Logger logger) {
  auto epoch = std::make_shared<Epoch>();
  epoch->on_up = std::move(on_up);
  auto caller_on_state = std::move(options.on_state);
  options.on_state = [epoch, caller_on_state, logger](ConnectionState state) {
    if (state == ConnectionState::kConnected || state == ConnectionState::kReconnected) {
      epoch->value.fetch_add(1);
      logger->info("NATS: {}", state == ConnectionState::kConnected ? "connected" : "reconnected");
      if (epoch->on_up) epoch->on_up();
    } else if (state == ConnectionState::kDisconnected) {
      logger->warn("NATS: disconnected; commands wait in the database, long-poll carries on");
    }
    if (caller_on_state) caller_on_state(state);
  };
  auto user_async_error = std::move(options.on_async_error);
  options.on_async_error = [logger, user_async_error](std::string_view message) {
    logger->warn("NATS: {}", message);
    if (user_async_error) user_async_error(message);
  };
  std::unique_ptr<NatsLink> link(new NatsLink(epoch, logger));
  auto connection = common::nats::Connection::connect(std::move(options));
  if (!connection) return common::fail(connection.error());
  link->connection_ = std::move(*connection);
  auto jetstream = common::nats::JetStream::create(*link->connection_);
  if (!jetstream) return common::fail(jetstream.error());
  link->jetstream_.emplace(std::move(*jetstream));
  return link;
}

NatsLink::~NatsLink() {
  jetstream_.reset();
  connection_.reset();  // waits for the last callback: none runs after this
}

bool NatsLink::connected() const noexcept {
  return connection_->connected();
}

common::Result<common::nats::JetStream*> NatsLink::jetstream() {
  if (!connected()) return common::fail(common::ErrorCode::kUnavailable, "NATS is not connected");
  std::lock_guard lock(mutex_);
  const auto epoch = epoch_->value.load();
  if (declared_epoch_ != epoch) {
    if (auto ok = ensure_streams(*jetstream_); !ok) {
      logger_->warn("NATS: declaring the command streams failed: {}", ok.error().message());
      return common::fail(ok.error());
    }
    declared_epoch_ = epoch;
  }
  return &*jetstream_;
}

}  // namespace groundcontrol::messaging
