// NatsChannel: ground control's side of the NATS command channel (docs/adr/0008), wired in
// one place for `serve --nats URL`: the operator keys (NatsAuthority), ground control's own
// NATS user (a key made by this process; its JWT signed afresh at each (re)connect, so an
// expired one never locks it out), the link, the outbox's dispatcher, the events' intake
// (answers settle commands; other events go to the audit trail), the credentials satellites
// ask for, the sync commands issued when desired states change and the sweep that keeps
// satellites' consumers in line with the database (both run by the job runner under its lease).
// Events of a satellite that no longer exists are dropped. Without --nats none of this exists and
// everything runs on long-poll. Ownership: owns all of it; borrows the database, box, clock,
// commands and view. Thread-safety: start/stop from the owner; the accessors' objects are
// thread-safe.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/clock.hpp"
#include "common/crypto/secret_box.hpp"
#include "common/log/logger.hpp"
#include "common/nats/nkey.hpp"
#include "common/result.hpp"
#include "common/sql/database.hpp"
#include "groundcontrol/messaging/command_dispatcher.hpp"
#include "groundcontrol/messaging/consumer_sweep.hpp"
#include "groundcontrol/messaging/event_intake.hpp"
#include "groundcontrol/messaging/nats_link.hpp"
#include "groundcontrol/messaging/webhook_notifier.hpp"
#include "groundcontrol/service/command_service.hpp"
#include "groundcontrol/service/fleet_view.hpp"
#include "groundcontrol/service/nats_authority.hpp"
#include "groundcontrol/service/nats_credential_service.hpp"
#include "groundcontrol/service/satellite_event_log.hpp"
#include "groundcontrol/service/state_change_commands.hpp"

namespace groundcontrol::app {

struct NatsChannelOptions {
  std::vector<std::string> servers;     // where ground control connects
  std::vector<std::string> advertised;  // what satellites are told (empty: `servers`)
  std::string ca_file;                  // the NATS servers' CA (tls:// URLs); empty: none
  std::chrono::seconds user_validity{24 * 3600};
  // "URL" or "URL=type,type": where satellites' events are POSTed (messaging/webhook_notifier).
  std::vector<std::string> webhooks;
};

class NatsChannel {
 public:
  [[nodiscard]] static common::Result<std::unique_ptr<NatsChannel>> start(
      common::sql::Database& db, const common::crypto::SecretBox& box, const common::Clock& clock,
      service::CommandService& commands, const service::FleetView& view,
      messaging::SatelliteExists exists, NatsChannelOptions options, common::log::Logger logger);
  ~NatsChannel();
  NatsChannel(const NatsChannel&) = delete;
  NatsChannel& operator=(const NatsChannel&) = delete;

  service::NatsCredentialService& credentials() { return *credentials_; }
  messaging::CommandDispatcher& dispatcher() { return *dispatcher_; }
  service::StateChangeCommands& state_changes() { return *state_changes_; }
  messaging::ConsumerSweep& consumer_sweep() { return *consumer_sweep_; }
  std::uint64_t answers_recorded() const noexcept { return intake_->answers_recorded(); }
  std::uint64_t commands_published() const noexcept { return dispatcher_->published(); }

 private:
  NatsChannel(service::NatsAuthority authority, common::log::Logger logger)
      : authority_(std::move(authority)),
        own_key_(common::nats::Nkey::generate(common::nats::NkeyType::kUser)),
        logger_(std::move(logger)) {}

  service::NatsAuthority authority_;
  const common::nats::Nkey own_key_;
  common::log::Logger logger_;
  std::unique_ptr<service::SatelliteEventLog> event_log_;
  std::unique_ptr<messaging::WebhookNotifier> webhooks_;  // with --webhook
  std::unique_ptr<messaging::NatsLink> link_;
  std::unique_ptr<service::NatsCredentialService> credentials_;
  std::unique_ptr<service::StateChangeCommands> state_changes_;
  std::unique_ptr<messaging::CommandDispatcher> dispatcher_;
  // What libnats's thread wakes when the link comes up: set once the dispatcher runs,
  // cleared before it stops (the callback may run at any time from the link's thread).
  std::atomic<messaging::CommandDispatcher*> wake_{nullptr};
  std::unique_ptr<messaging::EventIntake> intake_;
  std::unique_ptr<messaging::ConsumerSweep> consumer_sweep_;
};

}  // namespace groundcontrol::app
