// WebhookNotifier: satellites' events (sync completed / failed, disk low, certificate
// expiring; docs/nats.md) POSTed as JSON to the URLs an operator configures (Harbor
// Satellite's users ask for sync notifications). Each URL takes the event types it names
// (none: all). Delivery is off the caller's thread: a bounded queue (the oldest event is
// dropped when it is full, with a warning) and one sender thread, which tries each POST up
// to 3 times with back-off (1 s, 2 s) and then drops it with a warning: a webhook must never
// hold up the event stream. Body: {"satellite","type","time","message","stateDigest"?}
// (fleet_wire::SatelliteEvent), with `Content-Type: application/json`.
// Thread-safety: notify() from any thread.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/fleet_wire/command.hpp"
#include "common/http/http_client.hpp"
#include "common/log/logger.hpp"
#include "common/result.hpp"

namespace groundcontrol::messaging {

struct Webhook {
  std::string url;
  std::vector<common::fleet_wire::EventType> events;  // empty: every event
};

// "URL" or "URL=sync.completed,sync.failed". kInvalidArgument naming what is wrong.
[[nodiscard]] common::Result<Webhook> parse_webhook(std::string_view text);

class WebhookNotifier {
 public:
  [[nodiscard]] static common::Result<std::unique_ptr<WebhookNotifier>> start(
      std::vector<Webhook> hooks, common::log::Logger logger, std::size_t queue_limit = 1000);
  ~WebhookNotifier();
  WebhookNotifier(const WebhookNotifier&) = delete;
  WebhookNotifier& operator=(const WebhookNotifier&) = delete;

  void notify(const common::fleet_wire::SatelliteEvent& event);

 private:
  WebhookNotifier(std::vector<Webhook> hooks, std::unique_ptr<common::http::HttpClient> client,
                  common::log::Logger logger, std::size_t queue_limit)
      : hooks_(std::move(hooks)),
        client_(std::move(client)),
        logger_(std::move(logger)),
        queue_limit_(queue_limit) {}
  void run(std::stop_token stop);
  void deliver(const Webhook& hook, const std::string& body, std::stop_token stop);

  struct Delivery {
    std::size_t hook;
    std::string body;
  };
  const std::vector<Webhook> hooks_;
  std::unique_ptr<common::http::HttpClient> client_;
  common::log::Logger logger_;
  const std::size_t queue_limit_;
  std::mutex mutex_;
  std::condition_variable_any queued_;
  std::deque<Delivery> queue_;
  std::jthread thread_;
};

}  // namespace groundcontrol::messaging
