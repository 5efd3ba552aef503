#include "groundcontrol/app/nats_channel.hpp"

#include "groundcontrol/messaging/command_streams.hpp"

namespace groundcontrol::app {

common::Result<std::unique_ptr<NatsChannel>> NatsChannel::start(
    common::sql::Database& db, const common::crypto::SecretBox& box, const common::Clock& clock,
    service::CommandService& commands, const service::FleetView& view,
    messaging::SatelliteExists exists, NatsChannelOptions options, common::log::Logger logger) {
  auto authority = service::NatsAuthority::load_or_create(db, box, clock);
  if (!authority) return common::fail(authority.error());
  std::unique_ptr<NatsChannel> channel(new NatsChannel(std::move(*authority), logger));
  auto* self = channel.get();
  channel->event_log_ = std::make_unique<service::SatelliteEventLog>(db, clock);
  if (!options.webhooks.empty()) {
    std::vector<messaging::Webhook> hooks;
    for (const auto& text : options.webhooks) {
      auto hook = messaging::parse_webhook(text);
      if (!hook) return common::fail(hook.error());
      hooks.push_back(std::move(*hook));
    }
    auto notifier = messaging::WebhookNotifier::start(std::move(hooks), logger);
    if (!notifier) return common::fail(notifier.error());
    channel->webhooks_ = std::move(*notifier);
  }

  common::nats::ConnectionOptions connection;
  connection.servers = options.servers;
  connection.name = "ground-control";
  connection.tls.ca_file = options.ca_file;
  connection.user_jwt = [self, validity = options.user_validity] {
    auto grant = self->authority_.ground_control_user(self->own_key_, validity);
    return grant ? grant->jwt : std::string();
  };
  connection.sign_nonce = [self](std::string_view nonce) { return self->own_key_.sign(nonce); };
  auto link = messaging::NatsLink::open(
      std::move(connection),
      [self] {
        if (auto* dispatcher = self->wake_.load()) dispatcher->wake();
      },
      logger);
  if (!link) return common::fail(link.error());
  channel->link_ = std::move(*link);

  auto* nats = channel->link_.get();
  channel->credentials_ = std::make_unique<service::NatsCredentialService>(
      db, clock, view, channel->authority_,
      [nats](std::string_view satellite) -> common::Status {
        auto session = nats->session();
        if (!session) return common::fail(session.error());
        return messaging::ensure_satellite_consumer(*(*session)->jetstream, satellite);
      },
      service::NatsCredentialConfig{
          options.advertised.empty() ? options.servers : options.advertised,
          options.user_validity});
  channel->state_changes_ = std::make_unique<service::StateChangeCommands>(db, view, commands);
  channel->dispatcher_ =
      std::make_unique<messaging::CommandDispatcher>(commands, *channel->link_, db, logger);
  if (auto ok = channel->dispatcher_->start(); !ok) return common::fail(ok.error());
  channel->wake_.store(channel->dispatcher_.get());
  auto* log = channel->event_log_.get();
  auto* webhooks = channel->webhooks_.get();
  channel->intake_ = std::make_unique<messaging::EventIntake>(
      commands,
      [log, webhooks, exists,
       logger](const common::fleet_wire::SatelliteEvent& e) -> common::Status {
        // A deleted satellite's NATS user stays valid until it expires: what it still
        // says is no event of the fleet's.
        if (auto known = exists(e.satellite); !known) {
          return common::fail(known.error());
        } else if (!*known) {
          logger->debug("NATS: event {} of satellite {}, which no longer exists, dropped",
                        common::fleet_wire::event_type_name(e.type), e.satellite);
          return {};
        }
        if (auto ok = log->record(e); !ok) return ok;
        if (webhooks != nullptr) webhooks->notify(e);
        return {};
      },
      *channel->link_, logger);
  channel->intake_->start();
  channel->consumer_sweep_ = std::make_unique<messaging::ConsumerSweep>(
      *channel->link_, std::move(exists),
      [credentials = channel->credentials_.get()] { return credentials->holders(); });
  logger->info("NATS channel: connecting to {} (account {})", fmt::join(options.servers, ", "),
               channel->authority_.account_public_key());
  return channel;
}

NatsChannel::~NatsChannel() {
  // The threads that use the link stop first; then the link goes, which waits for its last
  // callback (wake() on a stopped dispatcher is harmless); then what the callbacks reach.
  wake_.store(nullptr);
  if (intake_) intake_->stop();
  if (dispatcher_) dispatcher_->stop();
  link_.reset();
  intake_.reset();
  dispatcher_.reset();
  webhooks_.reset();
}

}  // namespace groundcontrol::app
