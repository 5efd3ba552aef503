#include "groundcontrol/messaging/webhook_notifier.hpp"

#include <algorithm>

namespace groundcontrol::messaging {

using common::fleet_wire::EventType;

namespace {
constexpr int kAttempts = 3;
constexpr auto kRequestTimeout = std::chrono::seconds(10);
}  // namespace

common::Result<Webhook> parse_webhook(std::string_view text) {
  // "URL=types": the types follow the last '=' (a URL's own query may hold '=' too); a
  // tail that does not name event types is part of the URL.
  Webhook hook{std::string(text), {}};
  if (const auto equals = text.rfind('='); equals != std::string_view::npos) {
    std::vector<EventType> types;
    auto rest = text.substr(equals + 1);
    bool all_types = !rest.empty();
    std::string unknown;
    while (!rest.empty()) {
      const auto comma = rest.find(',');
      const auto name = rest.substr(0, comma);
      const auto type = common::fleet_wire::parse_event_type(name);
      if (!type || *type == EventType::kCommandAnswered) {
        all_types = false;
        unknown = std::string(name);
        break;
      }
      types.push_back(*type);
      rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    }
    // "…=sync.done" after a URL with no query is a mistyped event, not part of the URL.
    const bool in_query = text.substr(0, equals).find('?') != std::string_view::npos;
    if (all_types) {
      hook = {std::string(text.substr(0, equals)), std::move(types)};
    } else if (!in_query) {
      return common::fail(common::ErrorCode::kInvalidArgument,
                          "--webhook: unknown event \"" + unknown +
                              "\" (sync.started, sync.completed, sync.failed, disk.low, "
                              "certificate.expiring)");
    }
  }
  if (!hook.url.starts_with("http://") && !hook.url.starts_with("https://"))
    return common::fail(common::ErrorCode::kInvalidArgument,
                        "--webhook: \"" + hook.url + "\" is not an http:// or https:// URL");
  return hook;
}

common::Result<std::unique_ptr<WebhookNotifier>> WebhookNotifier::start(std::vector<Webhook> hooks,
                                                                        common::log::Logger logger,
                                                                        std::size_t queue_limit) {
  common::http::ClientOptions options;
  options.request_timeout = kRequestTimeout;
  auto client = common::http::HttpClient::create(options);
  if (!client) return common::fail(client.error());
  std::unique_ptr<WebhookNotifier> notifier(
      new WebhookNotifier(std::move(hooks), std::move(*client), std::move(logger), queue_limit));
  notifier->thread_ = std::jthread([n = notifier.get()](std::stop_token stop) { n->run(stop); });
  return notifier;
}

WebhookNotifier::~WebhookNotifier() {
  thread_.request_stop();
  queued_.notify_all();
}

void WebhookNotifier::notify(const common::fleet_wire::SatelliteEvent& event) {
  const auto body = common::fleet_wire::to_json(event);
  std::lock_guard lock(mutex_);
  for (std::size_t i = 0; i < hooks_.size(); ++i) {
    const auto& wanted = hooks_[i].events;
    if (!wanted.empty() && std::find(wanted.begin(), wanted.end(), event.type) == wanted.end())
      continue;
    if (queue_.size() >= queue_limit_) {
      logger_->warn("webhook {}: queue full, an event was dropped",
                    hooks_[queue_.front().hook].url);
      queue_.pop_front();
    }
    queue_.push_back({i, body});
  }
  queued_.notify_all();
}

void WebhookNotifier::run(std::stop_token stop) {
  for (;;) {
    Delivery next;
    {
      std::unique_lock lock(mutex_);
      if (!queued_.wait(lock, stop, [this] { return !queue_.empty(); })) return;
      next = std::move(queue_.front());
      queue_.pop_front();
    }
    deliver(hooks_[next.hook], next.body, stop);
  }
}

void WebhookNotifier::deliver(const Webhook& hook, const std::string& body, std::stop_token stop) {
  std::string why;
  for (int attempt = 1; attempt <= kAttempts; ++attempt) {
    common::http::ClientRequest request;
    request.method = "POST";
    request.url = hook.url;
    request.headers = {{"Content-Type", "application/json"}};
    request.body = body;
    request.stop = stop;
    auto answer = client_->request(request);
    if (answer && answer->status >= 200 && answer->status < 300) return;
    why = answer ? "HTTP " + std::to_string(answer->status) : answer.error().message();
    if (attempt == kAttempts) break;
    std::mutex mutex;
    std::condition_variable_any pause;
    std::unique_lock lock(mutex);
    if (pause.wait_for(lock, stop, std::chrono::seconds(attempt), [] { return false; });
        stop.stop_requested())
      return;
  }
  logger_->warn("webhook {}: event dropped after {} attempts: {}", hook.url, kAttempts, why);
}

}  // namespace groundcontrol::messaging
