#include "groundcontrol/messaging/nats_link.hpp"

#include "groundcontrol/messaging/command_streams.hpp"

namespace groundcontrol::messaging {

using common::nats::ConnectionState;

common::Result<std::unique_ptr<NatsLink>> NatsLink::open(common::nats::ConnectionOptions options,
                                                         std::function<void()> on_up,
                                                         common::log::Logger logger) {
  auto shared = std::make_shared<Shared>();
  shared->on_up = std::move(on_up);
  auto user_async_error = std::move(options.on_async_error);
  options.on_async_error = [logger, user_async_error](std::string_view message) {
    logger->warn("NATS: {}", message);
    if (user_async_error) user_async_error(message);
  };
  std::unique_ptr<NatsLink> link(new NatsLink(std::move(options), shared, logger));
  auto session = link->connect();
  if (!session) return common::fail(session.error());
  link->current_ = std::move(*session);
  return link;
}

common::Result<std::shared_ptr<NatsLink::Session>> NatsLink::connect() const {
  auto session = std::make_shared<Session>();
  auto options = options_;
  auto caller_on_state = options.on_state;
  // The session outlives its connection's callbacks (its destructor waits for the last).
  options.on_state = [shared = shared_, caller_on_state, logger = logger_,
                      closed = &session->closed](ConnectionState state) {
    if (state == ConnectionState::kConnected || state == ConnectionState::kReconnected) {
      shared->epoch.fetch_add(1);
      logger->info("NATS: {}", state == ConnectionState::kConnected ? "connected" : "reconnected");
      if (shared->on_up) shared->on_up();
    } else if (state == ConnectionState::kDisconnected) {
      logger->warn("NATS: disconnected; commands wait in the database, long-poll carries on");
    } else if (state == ConnectionState::kClosed) {
      closed->store(true);
    }
    if (caller_on_state) caller_on_state(state);
  };
  auto connection = common::nats::Connection::connect(std::move(options));
  if (!connection) return common::fail(connection.error());
  session->connection = std::move(*connection);
  auto jetstream = common::nats::JetStream::create(*session->connection);
  if (!jetstream) return common::fail(jetstream.error());
  session->jetstream.emplace(std::move(*jetstream));
  return session;
}

NatsLink::~NatsLink() {
  std::lock_guard lock(mutex_);
  current_.reset();
}

bool NatsLink::connected() const {
  std::lock_guard lock(mutex_);
  return current_ && current_->connection->connected();
}

common::Result<std::shared_ptr<NatsLink::Session>> NatsLink::session() {
  std::lock_guard lock(mutex_);
  if (current_->closed.load()) {
    logger_->warn("NATS: the connection was given up (credentials refused?); connecting again");
    auto fresh = connect();
    if (!fresh) return common::fail(fresh.error());
    current_ = std::move(*fresh);
  }
  if (!current_->connection->connected())
    return common::fail(common::ErrorCode::kUnavailable, "NATS is not connected");
  const auto epoch = shared_->epoch.load();
  if (declared_epoch_ != epoch) {
    if (auto ok = ensure_streams(*current_->jetstream); !ok) {
      logger_->warn("NATS: declaring the command streams failed: {}", ok.error().message());
      return common::fail(ok.error());
    }
    declared_epoch_ = epoch;
  }
  return current_;
}

}  // namespace groundcontrol::messaging
