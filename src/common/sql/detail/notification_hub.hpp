// NotificationHub: the in-process side of listen/notify, shared by both backends. It keeps
// the subscriptions by channel and delivers events to their callbacks in the order they
// were handed in: deliver() and resync() queue the events, and whichever thread is not
// already draining the queue drains it (so a callback that commits, and thereby delivers,
// never recurses or deadlocks; its payloads follow after it returns).
// Owned through shared_ptr by a Database; Subscriptions hold weak_ptrs. Thread-safe.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "common/result.hpp"

namespace common::sql::detail {

struct Notification {
  std::string channel;
  std::string payload;
  friend bool operator==(const Notification&, const Notification&) = default;
};

// OK for 1..63 bytes of [A-Za-z0-9_.:-] (a PostgreSQL identifier that needs no case
// folding); kInvalidArgument otherwise.
[[nodiscard]] Status validate_channel(std::string_view channel);
// OK below 8000 bytes (PostgreSQL's limit, enforced on both backends); kInvalidArgument.
[[nodiscard]] Status validate_payload(std::string_view payload);

class NotificationHub {
 public:
  using PayloadCallback = std::function<void(std::string_view)>;
  using ResyncCallback = std::function<void()>;

  NotificationHub() = default;

  // `hook` runs (under the hub's lock: it must only signal) whenever a channel gains its
  // first or loses its last subscriber; an empty hook detaches the previous one.
  void set_channels_changed(std::function<void()> hook);

  // Registers a subscriber and returns its id (never 0).
  std::uint64_t subscribe(std::string channel, PayloadCallback on_payload,
                          ResyncCallback on_resync);
  // Removes a subscriber; waits for its running callback unless called from inside it.
  void unsubscribe(std::uint64_t id);
  // The channels with at least one subscriber, sorted.
  std::vector<std::string> channels() const;

  // Delivers each notification to the current subscribers of its channel: enqueue, then
  // drain.
  void deliver(std::vector<Notification> batch);
  // Queues without delivering: a committer enqueues while it still holds its write lock,
  // so that the queue is in commit order, and drains after releasing it.
  void enqueue(std::vector<Notification> batch);
  // Delivers what is queued, unless another thread is already doing so (then returns).
  void drain();
  // Calls every current subscriber's on_resync.
  void resync();
  // True on the thread that is delivering, i.e. inside some subscriber's callback.
  bool in_callback() const;

 private:
  struct Subscriber;
  struct Event {
    bool resync = false;
    Notification notification;
  };
  static void run(Subscriber& subscriber, const Event& event) noexcept;

  mutable std::mutex mu_;  // guards everything below
  std::function<void()> on_channels_changed_;
  std::map<std::uint64_t, std::shared_ptr<Subscriber>> subscribers_;  // by id: delivery order
  std::map<std::string, int, std::less<>> channel_refs_;
  std::deque<Event> queue_;
  bool draining_ = false;
  std::thread::id drainer_;
  std::uint64_t next_id_ = 1;
};

}  // namespace common::sql::detail
