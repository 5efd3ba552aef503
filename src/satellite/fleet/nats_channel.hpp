// NatsChannel: the satellite's end of the NATS push channel (docs/adr/0008). One thread:
//   1. credentials: a user JWT for the device's own nkey from ground control (back-off on
//      errors; kNotFound, "no NATS channel configured", is asked again every 10 minutes);
//   2. a connection with that JWT (the nonce signed by the key), JetStream, and a bind to
//      the satellite's durable consumer (retried while it fails, e.g. not created yet);
//   3. commands fetched one at a time and handed to the CommandExecutor; the answer is
//      published to `<sat>.event.command.acknowledged` (msg id "answer-<command id>") and
//      the command acked only once JetStream acknowledged that publish. A failed publish
//      leaves the command unacked: it comes again and the ledger answers it again without
//      running it. An unreadable command is terminated (it would never become readable);
//   4. at two thirds of the JWT's remaining life, fresh credentials and a new connection
//      (the server ends a connection whose JWT expires; a new JWT needs a new connection).
// NATS being down only means waiting: libnats reconnects, the long-poll does the real work
// meanwhile and nothing else waits on this channel. publish_event() sends best-effort
// events (the status report is the record) and drops them while NATS is down.
// Lifetime: start() once; stop() (or the destructor) ends a command in flight (its answer
// is not remembered: it is redelivered) and joins. Thread-safety: publish_event(),
// connected() and stop() from any thread.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <stop_token>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "common/clock.hpp"
#include "common/fleet_wire/command.hpp"
#include "common/fleet_wire/nats_credentials.hpp"
#include "common/log/logger.hpp"
#include "common/nats/connection_options.hpp"
#include "common/nats/nkey.hpp"
#include "common/result.hpp"
#include "satellite/agent/retry_delay.hpp"
#include "satellite/fleet/command_executor.hpp"

namespace satellite::fleet {

// Ground control's answer to a credentials request for `public_key` (production:
// GroundControlClient::nats_credentials).
using FetchNatsCredentials =
    std::function<common::Result<common::fleet_wire::NatsCredentials>(std::string_view)>;

struct NatsChannelOptions {
  std::string satellite;             // its name: the subjects it answers and publishes on
  std::vector<std::string> servers;  // --nats (a site's leaf node, say); else the credentials'
  // Used for tls:// servers (production: ground control's CA bundle from the identity dir).
  common::nats::TlsOptions tls;
  std::chrono::milliseconds fetch_timeout{std::chrono::seconds(5)};  // one pull's wait
  std::chrono::milliseconds jetstream_timeout{std::chrono::seconds(5)};
  // --nats-domain: the hub's JetStream domain, when the satellite connects to a site's leaf
  // node (docs/nats.md); "" when it connects to the hub itself.
  std::string jetstream_domain;
  std::chrono::milliseconds connect_timeout{std::chrono::seconds(2)};
  std::chrono::milliseconds reconnect_wait{std::chrono::seconds(2)};
  std::chrono::milliseconds reconnect_jitter{std::chrono::milliseconds(500)};
  std::chrono::milliseconds bind_retry{std::chrono::seconds(2)};  // consumer not bound yet
  agent::RetryPolicy retry{std::chrono::seconds(2), std::chrono::minutes(5)};  // credentials
  std::chrono::milliseconds not_configured_retry{std::chrono::minutes(10)};    // kNotFound
  // Credentials whose expiry cannot be read are renewed after this.
  std::chrono::milliseconds unknown_expiry_refresh{std::chrono::hours(1)};
};

class NatsChannel {
 public:
  // Borrows the executor and the clock; keeps the key (the seed stays in this process).
  NatsChannel(NatsChannelOptions options, common::nats::Nkey user_key,
              FetchNatsCredentials fetch_credentials, CommandExecutor& executor,
              const common::Clock& clock, common::log::Logger logger);
  ~NatsChannel();
  NatsChannel(const NatsChannel&) = delete;
  NatsChannel& operator=(const NatsChannel&) = delete;

  void start();
  void stop();

  // Publishes `type` (not kCommandAnswered) for this satellite, or drops it with a debug log
  // when NATS is down or the publish fails. Blocks at most the JetStream timeout.
  void publish_event(common::fleet_wire::EventType type, std::string message,
                     std::string state_digest);
  // True while a connection to NATS is up.
  [[nodiscard]] bool connected() const;

 private:
  struct Session;  // one connection and its JetStream context

  void run(std::stop_token stop);
  // Connects with `credentials` and serves commands until their refresh is due, then
  // returns the fresh ones (the old ones keep serving until those come). An error when the
  // connection could not be made, or on `stop`.
  [[nodiscard]] common::Result<common::fleet_wire::NatsCredentials> serve(
      const common::fleet_wire::NatsCredentials& credentials, std::stop_token stop);
  [[nodiscard]] std::chrono::steady_clock::time_point refresh_due(
      const common::fleet_wire::NatsCredentials& credentials) const;
  [[nodiscard]] common::nats::ConnectionOptions connection_options(
      const common::fleet_wire::NatsCredentials& credentials, Session& session) const;
  [[nodiscard]] std::shared_ptr<Session> current() const;

  const NatsChannelOptions options_;
  const common::nats::Nkey user_key_;
  const FetchNatsCredentials fetch_credentials_;
  CommandExecutor& executor_;
  const common::Clock& clock_;
  common::log::Logger logger_;

  mutable std::mutex mutex_;  // guards jwt_ and session_
  std::string jwt_;           // the newest user JWT (libnats asks at every reconnect)
  std::shared_ptr<Session> session_;
  std::jthread thread_;
};

}  // namespace satellite::fleet
