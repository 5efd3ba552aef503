// Subscription: the RAII handle Connection::subscribe returns. While it lives, its handler
// receives the messages published on its subject; destroying it (or unsubscribe())
// unsubscribes. Move-only; one owner.
//
// Thread-safety: the handler runs on a libnats thread of this subscription, one message at
// a time. unsubscribe() and the destructor may run on any other thread; when they return the
// handler is not running and will not run again. REQUIRES: not called from the handler itself
// (it would wait for itself), and the subscription is destroyed before its Connection.
#pragma once

#include <functional>
#include <memory>

#include "common/nats/message.hpp"

namespace common::nats {

namespace detail {
struct SubscriptionCore;
}

using MessageHandler = std::function<void(Message)>;

class Subscription {
 public:
  explicit Subscription(std::unique_ptr<detail::SubscriptionCore> core) noexcept;
  Subscription(Subscription&& other) noexcept;
  Subscription& operator=(Subscription&& other) noexcept;
  ~Subscription();

  // Stops delivery (see the thread-safety note); a no-op when already stopped.
  void unsubscribe() noexcept;
  // True until unsubscribe() or a move away.
  bool active() const noexcept { return core_ != nullptr; }

 private:
  std::unique_ptr<detail::SubscriptionCore> core_;
};

}  // namespace common::nats
