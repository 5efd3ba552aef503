// Subscription: the RAII handle Database::listen returns. While it lives, its callbacks
// receive the payloads committed on its channel; destroying it (or reset()) unsubscribes.
// Move-only; one owner. It may outlive its Database (it then does nothing).
//
// Thread-safety: reset() and the destructor may run on any thread. When they return, no
// callback of this subscription is running or will run, except when called from inside
// one of its own callbacks (then no further call starts). They wait for a running callback
// to finish, so do not destroy a subscription while holding a lock its callback takes.
#pragma once

#include <cstdint>
#include <memory>

namespace common::sql {

namespace detail {
class NotificationHub;
}

class Subscription {
 public:
  Subscription() noexcept = default;
  // Built by Database::listen: `id` registered in `hub`.
  Subscription(std::weak_ptr<detail::NotificationHub> hub, std::uint64_t id) noexcept
      : hub_(std::move(hub)), id_(id) {}
  Subscription(Subscription&& other) noexcept;
  Subscription& operator=(Subscription&& other) noexcept;
  Subscription(const Subscription&) = delete;
  Subscription& operator=(const Subscription&) = delete;
  ~Subscription() { reset(); }

  // Unsubscribes (see the thread-safety note); a no-op when already empty.
  void reset() noexcept;
  // True until reset() or a move away.
  bool active() const noexcept { return id_ != 0; }

 private:
  std::weak_ptr<detail::NotificationHub> hub_;
  std::uint64_t id_ = 0;
};

}  // namespace common::sql
