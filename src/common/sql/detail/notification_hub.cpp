#include "common/sql/detail/notification_hub.hpp"

#include <atomic>
#include <thread>
#include <utility>

namespace common::sql::detail {

struct NotificationHub::Subscriber {
  std::string channel;
  PayloadCallback on_payload;
  ResyncCallback on_resync;
  std::mutex running;                     // held while a callback runs
  bool active = true;                     // guarded by `running`
  std::atomic<std::thread::id> runner{};  // the thread inside a callback, if any
};

Status validate_channel(std::string_view channel) {
  bool ok = !channel.empty() && channel.size() <= 63;
  for (const char c : channel) {
    ok = ok && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                c == '_' || c == '.' || c == ':' || c == '-');
  }
  if (!ok) {
    return fail(ErrorCode::kInvalidArgument,
                "notification channel must be 1 to 63 characters of [A-Za-z0-9_.:-]");
  }
  return {};
}

Status validate_payload(std::string_view payload) {
  if (payload.size() >= 8000) {
    return fail(ErrorCode::kInvalidArgument, "notification payload must be below 8000 bytes");
  }
  return {};
}

std::uint64_t NotificationHub::subscribe(std::string channel, PayloadCallback on_payload,
                                         ResyncCallback on_resync) {
  auto subscriber = std::make_shared<Subscriber>();
  subscriber->on_payload = std::move(on_payload);
  subscriber->on_resync = std::move(on_resync);
  std::lock_guard lock(mu_);
  const std::uint64_t id = next_id_++;
  if (channel_refs_[channel]++ == 0 && on_channels_changed_) on_channels_changed_();
  subscriber->channel = std::move(channel);
  subscribers_.emplace(id, std::move(subscriber));
  return id;
}

void NotificationHub::unsubscribe(std::uint64_t id) {
  std::shared_ptr<Subscriber> subscriber;
  {
    std::lock_guard lock(mu_);
    auto it = subscribers_.find(id);
    if (it == subscribers_.end()) return;
    subscriber = std::move(it->second);
    subscribers_.erase(it);
    auto ref = channel_refs_.find(subscriber->channel);
    if (--ref->second == 0) {
      channel_refs_.erase(ref);
      if (on_channels_changed_) on_channels_changed_();
    }
  }
  if (subscriber->runner.load() == std::this_thread::get_id()) {
    subscriber->active = false;  // inside its own callback: this thread holds `running`
    return;
  }
  std::lock_guard running(subscriber->running);  // waits for a callback in flight
  subscriber->active = false;
}

std::vector<std::string> NotificationHub::channels() const {
  std::lock_guard lock(mu_);
  std::vector<std::string> names;
  names.reserve(channel_refs_.size());
  for (const auto& [name, refs] : channel_refs_) names.push_back(name);
  return names;
}

void NotificationHub::set_channels_changed(std::function<void()> hook) {
  std::lock_guard lock(mu_);
  on_channels_changed_ = std::move(hook);
}

void NotificationHub::deliver(std::vector<Notification> batch) {
  if (batch.empty()) return;
  enqueue(std::move(batch));
  drain();
}

void NotificationHub::enqueue(std::vector<Notification> batch) {
  std::lock_guard lock(mu_);
  for (auto& notification : batch) queue_.push_back(Event{false, std::move(notification)});
}

void NotificationHub::resync() {
  {
    std::lock_guard lock(mu_);
    queue_.push_back(Event{true, {}});
  }
  drain();
}

void NotificationHub::drain() {
  std::unique_lock lock(mu_);
  if (draining_) return;  // that thread delivers our events after its current one
  draining_ = true;
  drainer_ = std::this_thread::get_id();
  while (!queue_.empty()) {
    Event event = std::move(queue_.front());
    queue_.pop_front();
    std::vector<std::shared_ptr<Subscriber>> targets;
    for (const auto& [id, subscriber] : subscribers_) {
      if (event.resync || subscriber->channel == event.notification.channel) {
        targets.push_back(subscriber);
      }
    }
    lock.unlock();
    for (const auto& target : targets) run(*target, event);
    lock.lock();
  }
  draining_ = false;
  drainer_ = std::thread::id();
}

bool NotificationHub::in_callback() const {
  std::lock_guard lock(mu_);
  return draining_ && drainer_ == std::this_thread::get_id();
}

void NotificationHub::run(Subscriber& subscriber, const Event& event) noexcept {
  std::lock_guard running(subscriber.running);
  if (!subscriber.active) return;
  subscriber.runner.store(std::this_thread::get_id());
  if (event.resync) {
    if (subscriber.on_resync) subscriber.on_resync();
  } else if (subscriber.on_payload) {
    subscriber.on_payload(event.notification.payload);
  }
  subscriber.runner.store(std::thread::id());
}

}  // namespace common::sql::detail
