// wait_for_state: how a sync command (docs/adr/0008-nats-command-channel.md) knows it is
// done. The command names the desired state ground control wants; the state itself still
// arrives by the long-poll, which the command only makes the satellite watch for. Done when
// the agent has fully applied that state, or a newer one that replaced it after it arrived
// (ground control changed its mind: the newer one is what it wants now). Failed when the
// sync window is closed (nothing is pulled until it opens), or when the state is not
// applied within the timeout: the reason then says why (never received, the feed's error,
// artifacts failing). `working` is called every `heartbeat` meanwhile. Blocking: call from
// the command's thread.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <stop_token>
#include <string>

#include "common/result.hpp"

namespace satellite::fleet {

// What the agent says of itself, as far as a sync command cares.
struct ConvergenceView {
  std::string desired;  // the state the agent works on
  std::string applied;  // the last state fully applied
  bool window_open = true;
  std::size_t failed = 0;  // artifacts failing in the current pass
  std::string feed_error;  // why the state source could not be read lately
};

struct ConvergenceTiming {
  std::chrono::milliseconds timeout{std::chrono::minutes(30)};
  std::chrono::milliseconds poll{250};
  std::chrono::milliseconds heartbeat{std::chrono::seconds(10)};
};

[[nodiscard]] common::Status wait_for_state(const std::string& target,
                                            const std::function<ConvergenceView()>& view,
                                            const std::function<void()>& working,
                                            const ConvergenceTiming& timing, std::stop_token stop);

}  // namespace satellite::fleet
