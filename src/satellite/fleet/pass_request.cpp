#include "satellite/fleet/pass_request.hpp"

#include <algorithm>

namespace satellite::fleet {

common::Status PassRequest::ask(const std::function<void()>& working,
                                const PassRequestTiming& timing, std::stop_token stop) {
  std::unique_lock lock(mutex_);
  const auto mine = ++asked_;
  const auto deadline = std::chrono::steady_clock::now() + timing.timeout;
  while (finished_ < mine) {
    const auto now = std::chrono::steady_clock::now();
    if (now >= deadline)
      return common::fail(common::ErrorCode::kTimeout,
                          "no pass of the state feed came round in time (ground control "
                          "unreachable?)");
    const auto until = std::min(deadline, now + timing.heartbeat);
    if (!changed_.wait_until(lock, stop, until, [&] { return finished_ >= mine; })) {
      if (stop.stop_requested()) return common::fail(common::ErrorCode::kUnavailable, "stopped");
      if (working) {
        lock.unlock();
        working();
        lock.lock();
      }
    }
  }
  return outcome_;
}

std::optional<std::uint64_t> PassRequest::take() {
  const std::lock_guard lock(mutex_);
  if (asked_ == taken_) return std::nullopt;
  taken_ = asked_;
  return taken_;
}

void PassRequest::finish(std::uint64_t ticket, common::Status outcome) {
  {
    const std::lock_guard lock(mutex_);
    if (ticket <= finished_) return;
    finished_ = ticket;
    outcome_ = std::move(outcome);
  }
  changed_.notify_all();
}

}  // namespace satellite::fleet
