#include "satellite/fleet/nats_channel.hpp"

#include <spdlog/logger.h>

#include <atomic>
#include <optional>
#include <random>

#include "common/crypto/random_bytes.hpp"
#include "common/fleet_wire/nats_subjects.hpp"
#include "common/nats/connection.hpp"
#include "common/nats/jetstream.hpp"
#include "common/nats/pull_subscription.hpp"
#include "common/time_format.hpp"
#include "satellite/agent/stoppable_sleep.hpp"

namespace satellite::fleet {

using common::ErrorCode;
using common::fleet_wire::EventType;
using common::fleet_wire::NatsCredentials;
namespace subjects = common::fleet_wire::nats_subjects;

struct NatsChannel::Session {
  // Set (on libnats's thread) when the connection ended for good: libnats gives up when the
  // server refuses the credentials twice (an expired or revoked JWT).
  std::atomic<bool> closed{false};
  std::unique_ptr<common::nats::Connection> connection;
  std::optional<common::nats::JetStream> jetstream;  // destroyed before the connection
};

namespace {

std::string unique_id() {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string id;
  for (const unsigned char byte : common::crypto::random_bytes(12)) {
    id += kHex[byte >> 4];
    id += kHex[byte & 0xf];
  }
  return id;
}

bool any_tls(const std::vector<std::string>& servers) {
  for (const auto& url : servers)
    if (url.starts_with("tls://")) return true;
  return false;
}

// Handles one delivered command; see the header's step 3.
void answer(common::nats::JsMessage& message, common::nats::JetStream& jetstream,
            CommandExecutor& executor, const std::string& satellite, spdlog::logger& logger,
            std::stop_token stop) {
  auto command = common::fleet_wire::parse_command(message.data());
  if (!command) {
    logger.warn("NATS: dropping an unreadable command on {}: {}", message.subject(),
                command.error().message());
    if (auto termed = message.term(); !termed)
      logger.warn("NATS: terminating it: {}", termed.error().message());
    return;
  }
  auto answered = executor.execute(
      *command, [&message] { (void)message.in_progress(); }, stop);
  if (!answered) {  // not remembered: unacked, it comes again
    logger.warn("NATS: command {} left unanswered: {}", command->id, answered.error().message());
    return;
  }
  auto published =
      jetstream.publish(subjects::event_subject(satellite, EventType::kCommandAnswered),
                        common::fleet_wire::to_json(*answered), "answer-" + command->id);
  if (!published) {  // unacked: redelivered, and the ledger answers it again
    logger.warn("NATS: answer to command {} not sent: {}", command->id,
                published.error().message());
    return;
  }
  if (auto acked = message.ack(); !acked)
    logger.warn("NATS: acknowledging command {}: {}", command->id, acked.error().message());
}

}  // namespace

NatsChannel::NatsChannel(NatsChannelOptions options, common::nats::Nkey user_key,
                         FetchNatsCredentials fetch_credentials, CommandExecutor& executor,
                         const common::Clock& clock, common::log::Logger logger)
    : options_(std::move(options)),
      user_key_(std::move(user_key)),
      fetch_credentials_(std::move(fetch_credentials)),
      executor_(executor),
      clock_(clock),
      logger_(std::move(logger)) {}

NatsChannel::~NatsChannel() {
  stop();
}

void NatsChannel::start() {
  thread_ = std::jthread([this](std::stop_token stop) { run(stop); });
}

void NatsChannel::stop() {
  thread_.request_stop();
  if (thread_.joinable()) thread_.join();
}

std::shared_ptr<NatsChannel::Session> NatsChannel::current() const {
  const std::lock_guard lock(mutex_);
  return session_;
}

bool NatsChannel::connected() const {
  const auto session = current();
  return session && session->connection->connected();
}

void NatsChannel::publish_event(EventType type, std::string message, std::string state_digest) {
  const auto session = current();
  const auto name = common::fleet_wire::event_type_name(type);
  if (!session || !session->connection->connected()) {
    logger_->debug("NATS down: event {} dropped", name);
    return;
  }
  const common::fleet_wire::SatelliteEvent event{options_.satellite, type,
                                                 common::format_rfc3339(clock_.now()),
                                                 std::move(message), std::move(state_digest)};
  auto published =
      session->jetstream->publish(subjects::event_subject(options_.satellite, type),
                                  common::fleet_wire::to_json(event), "event-" + unique_id());
  if (!published) logger_->debug("NATS: event {} dropped: {}", name, published.error().message());
}

void NatsChannel::run(std::stop_token stop) {
  std::minstd_rand random(std::random_device{}());
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  unsigned failures = 0;
  std::string last_error;
  std::optional<NatsCredentials> credentials;
  while (!stop.stop_requested()) {
    std::optional<common::Error> error;
    if (credentials) {
      auto fresh = serve(*credentials, stop);
      if (fresh) {  // refreshed while serving: reconnect with them
        credentials = std::move(*fresh);
        failures = 0;
        last_error.clear();
        continue;
      }
      error = fresh.error();
      credentials.reset();  // maybe refused: ask for new ones
    } else {
      auto fetched = fetch_credentials_(user_key_.public_key());
      if (fetched) {
        credentials = std::move(*fetched);
        continue;
      }
      error = fetched.error();
    }
    if (stop.stop_requested()) return;
    if (error->message() != last_error) logger_->warn("NATS channel: {}", error->message());
    last_error = error->message();
    const auto delay = error->code() == ErrorCode::kNotFound
                           ? options_.not_configured_retry
                           : agent::retry_delay(options_.retry, ++failures, uniform(random));
    agent::sleep_unless_stopped(delay, stop);
  }
}

std::chrono::steady_clock::time_point NatsChannel::refresh_due(
    const NatsCredentials& credentials) const {
  const auto steady_now = clock_.steady_now();
  const auto expires = common::parse_rfc3339(credentials.expires_at);
  if (!expires) {
    logger_->warn(
        "NATS credentials: unreadable expiresAt '{}'; renewing in {} s", credentials.expires_at,
        std::chrono::duration_cast<std::chrono::seconds>(options_.unknown_expiry_refresh).count());
    return steady_now + options_.unknown_expiry_refresh;
  }
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(*expires - clock_.now());
  return steady_now + std::max(left * 2 / 3, std::chrono::milliseconds(0));
}

common::nats::ConnectionOptions NatsChannel::connection_options(const NatsCredentials& credentials,
                                                                Session& session) const {
  common::nats::ConnectionOptions o;
  // The satellite's own --nats wins (a leaf node on its site); ground control's only fill in.
  o.servers = options_.servers.empty() ? credentials.servers : options_.servers;
  o.name = options_.satellite;
  if (any_tls(o.servers)) o.tls = options_.tls;
  o.user_jwt = [this] {
    const std::lock_guard lock(mutex_);
    return jwt_;
  };
  o.sign_nonce = [this](std::string_view nonce) { return user_key_.sign(nonce); };
  o.inbox_prefix = credentials.inbox_prefix;
  o.connect_timeout = options_.connect_timeout;
  o.reconnect_wait = options_.reconnect_wait;
  o.reconnect_jitter = options_.reconnect_jitter;
  o.on_state = [this, &session](common::nats::ConnectionState state) {
    switch (state) {
      case common::nats::ConnectionState::kConnected:
      case common::nats::ConnectionState::kReconnected:
        logger_->info("NATS: connected");
        break;
      case common::nats::ConnectionState::kDisconnected:
        logger_->info("NATS: link lost, reconnecting");
        break;
      case common::nats::ConnectionState::kClosed:
        session.closed = true;
        break;
    }
  };
  o.on_async_error = [this](std::string_view message) {
    logger_->warn("NATS server: {}", message);
  };
  return o;
}

common::Result<NatsCredentials> NatsChannel::serve(const NatsCredentials& credentials,
                                                   std::stop_token stop) {
  auto due = refresh_due(credentials);
  const auto stream =
      credentials.stream.empty() ? std::string(subjects::kCommandStream) : credentials.stream;
  const auto consumer = credentials.consumer.empty()
                            ? subjects::command_consumer(options_.satellite)
                            : credentials.consumer;
  {
    const std::lock_guard lock(mutex_);
    jwt_ = credentials.jwt;
  }
  auto session = std::make_shared<Session>();
  auto connection = common::nats::Connection::connect(connection_options(credentials, *session));
  if (!connection) return common::fail(connection.error());
  session->connection = std::move(*connection);
  auto jetstream = common::nats::JetStream::create(
      *session->connection, {options_.jetstream_timeout, options_.jetstream_domain});
  if (!jetstream) return common::fail(jetstream.error());
  session->jetstream.emplace(std::move(*jetstream));
  {
    const std::lock_guard lock(mutex_);
    session_ = session;
  }
  // Fresh credentials once the refresh is due; until they come the old ones serve on.
  std::optional<NatsCredentials> fresh;
  unsigned refresh_failures = 0;
  const auto in_time = [&] {
    if (stop.stop_requested() || session->closed) return false;
    if (clock_.steady_now() < due) return true;
    auto fetched = fetch_credentials_(user_key_.public_key());
    if (fetched) {
      fresh = std::move(*fetched);
      return false;
    }
    logger_->warn("NATS: renewing the credentials: {}", fetched.error().message());
    due = clock_.steady_now() + agent::retry_delay(options_.retry, ++refresh_failures, 0.5);
    return true;
  };
  std::string last_error;
  while (in_time()) {
    auto subscription = common::nats::PullSubscription::bind(*session->jetstream, stream, consumer);
    if (!subscription) {
      if (subscription.error().message() != last_error)
        logger_->info("NATS: binding to {}/{}: {}", stream, consumer,
                      subscription.error().message());
      last_error = subscription.error().message();
      agent::sleep_unless_stopped(options_.bind_retry, stop);
      continue;
    }
    logger_->info("NATS: taking commands from {}/{}", stream, consumer);
    last_error.clear();
    while (in_time()) {
      auto batch = subscription->fetch(1, options_.fetch_timeout);
      if (!batch) {  // e.g. the consumer was deleted: bind again
        logger_->info("NATS: fetching commands: {}", batch.error().message());
        agent::sleep_unless_stopped(options_.bind_retry, stop);
        break;
      }
      for (auto& message : *batch)
        answer(message, *session->jetstream, executor_, options_.satellite, *logger_, stop);
    }
  }
  {
    const std::lock_guard lock(mutex_);
    session_.reset();
  }
  if (session->closed && !stop.stop_requested())
    return common::fail(ErrorCode::kUnauthenticated,
                        "NATS closed the connection (credentials refused or expired)");
  if (!fresh) return common::fail(ErrorCode::kUnavailable, "stopped");
  return std::move(*fresh);
}

}  // namespace satellite::fleet
