// Wakeup: ends a parked handler's wait early, from any thread. A long-poll handler makes
// one, registers it with whatever knows when its answer changes (ground control's state
// watchers), checks whether the answer already changed, and only then waits on it with
// RequestContext::wait_until(deadline, wakeup). fire() is sticky, so a change that lands
// between the check and the wait is not lost: the wait then returns at once.
// Ownership: shared, because the firing side may hold it past the handler's return; a fire
// after the wait ended does nothing. Thread-safety: fire() and fired() from any thread; the
// arming (done by the server's RequestContext) on the waiting connection's thread.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>

namespace common::http {

class Wakeup {
 public:
  static std::shared_ptr<Wakeup> create() { return std::shared_ptr<Wakeup>(new Wakeup()); }

  // Marks the wakeup fired and, when a wait is armed on it, ends that wait.
  void fire();
  bool fired() const noexcept { return fired_.load(std::memory_order_acquire); }

  // For the waiting side (the server): `on_fire` runs once, on fire() or at once if already
  // fired, from the firing thread; it must only post to the waiter's own executor.
  void arm(std::function<void()> on_fire);
  // Drops the armed callback; after disarm() returns no new call of it starts.
  void disarm();

 private:
  Wakeup() = default;
  std::atomic<bool> fired_ = false;
  std::mutex mutex_;  // guards on_fire_
  std::function<void()> on_fire_;
};

}  // namespace common::http
