#include "satellite/fleet/state_convergence.hpp"

#include <fmt/format.h>

#include "satellite/agent/stoppable_sleep.hpp"

namespace satellite::fleet {

common::Status wait_for_state(const std::string& target,
                              const std::function<ConvergenceView()>& view,
                              const std::function<void()>& working, const ConvergenceTiming& timing,
                              std::stop_token stop) {
  using Clock = std::chrono::steady_clock;
  const auto deadline = Clock::now() + timing.timeout;
  auto next_beat = Clock::now() + timing.heartbeat;
  bool target_seen = target.empty();
  for (;;) {
    const auto now_view = view();
    if (now_view.desired == target) target_seen = true;
    const bool applied_target = !target.empty() && now_view.applied == target;
    // The target arrived and a newer state replaced it since: that one is wanted now.
    const bool applied_successor = target_seen && !now_view.desired.empty() &&
                                   now_view.desired != target &&
                                   now_view.applied == now_view.desired;
    const bool applied_current =
        target.empty() && !now_view.desired.empty() && now_view.applied == now_view.desired;
    if (applied_target || applied_successor || applied_current) return {};
    if (!now_view.window_open)
      return common::fail(common::ErrorCode::kUnavailable,
                          "outside the sync window: the state is applied when it opens");
    const auto now = Clock::now();
    if (now >= deadline) {
      std::string why;
      if (!target_seen)
        why = fmt::format("state {} was not received{}", target,
                          now_view.feed_error.empty() ? "" : ": " + now_view.feed_error);
      else if (now_view.failed > 0)
        why = fmt::format("{} artifacts failed to sync", now_view.failed);
      else
        why = "still syncing";
      return common::fail(
          common::ErrorCode::kTimeout,
          fmt::format("not applied within {} s: {}",
                      std::chrono::duration_cast<std::chrono::seconds>(timing.timeout).count(),
                      why));
    }
    if (now >= next_beat) {
      working();
      next_beat = now + timing.heartbeat;
    }
    if (!agent::sleep_unless_stopped(timing.poll, stop))
      return common::fail(common::ErrorCode::kUnavailable, "stopped");
  }
}

}  // namespace satellite::fleet
