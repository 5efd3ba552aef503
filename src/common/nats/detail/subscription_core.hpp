// What a Subscription owns; its address is the closure of the message and on-complete
// callbacks, so it stays put until the on-complete callback has run.
#pragma once

#include <condition_variable>
#include <mutex>

#include "common/nats/detail/nats_handles.hpp"
#include "common/nats/subscription.hpp"

namespace common::nats::detail {

struct SubscriptionCore {
  MessageHandler handler;
  SubscriptionHandle subscription;
  bool waits_for_completion = false;  // the on-complete callback was registered

  std::mutex mutex;
  std::condition_variable completed_changed;
  bool completed = false;  // guarded by mutex: the handler has returned for the last time
};

// Subscribes `core` (handler set) on `connection`; fills core.subscription.
[[nodiscard]] Status start_subscription(natsConnection* connection, const char* subject,
                                        SubscriptionCore& core);

}  // namespace common::nats::detail
