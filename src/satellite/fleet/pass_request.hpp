// PassRequest: one thread asks the agent's feed thread to do something at its next pass
// (fetch the config again for fresh upstream credentials: a refresh.credentials command)
// and waits for how it went. The feed thread may sit in a long-poll for up to its wait, so
// the asker is kept alive meanwhile (`working` every `heartbeat`) and gives up after
// `timeout`, or on `stop`. Requests made before a pass starts are served by that pass
// together; one made while a pass runs waits for the next.
// Thread-safety: ask() from any threads, take()/finish() from the feed thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <stop_token>

#include "common/result.hpp"

namespace satellite::fleet {

struct PassRequestTiming {
  std::chrono::milliseconds timeout{std::chrono::minutes(3)};
  std::chrono::milliseconds heartbeat{std::chrono::seconds(10)};
};

class PassRequest {
 public:
  // Asks, then waits for the outcome of the pass that served it. kTimeout after `timeout`
  // (the feed did not come round: ground control unreachable for that long), kUnavailable on
  // `stop`.
  [[nodiscard]] common::Status ask(const std::function<void()>& working,
                                   const PassRequestTiming& timing, std::stop_token stop);

  // The feed thread at the start of its pass: a ticket when something was asked since the
  // last pass, to be handed to finish() with the outcome.
  [[nodiscard]] std::optional<std::uint64_t> take();
  void finish(std::uint64_t ticket, common::Status outcome);

 private:
  std::mutex mutex_;
  std::condition_variable_any changed_;
  std::uint64_t asked_ = 0;     // the newest request's number
  std::uint64_t taken_ = 0;     // the newest number a pass took
  std::uint64_t finished_ = 0;  // the newest number a pass finished
  common::Status outcome_;      // of that pass
};

}  // namespace satellite::fleet
