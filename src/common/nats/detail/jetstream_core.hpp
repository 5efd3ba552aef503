// What a JetStream context owns, shared with PullSubscription (which subscribes through it).
#pragma once

#include <chrono>

#include "common/nats/detail/nats_handles.hpp"

namespace common::nats::detail {

struct JetStreamCore {
  JsCtxHandle context;
  std::chrono::milliseconds timeout{5000};

  // Per-call options carrying `timeout` (libnats takes the wait per call).
  jsOptions call_options() const {
    jsOptions options;
    jsOptions_Init(&options);
    options.Wait = timeout.count();
    return options;
  }
};

}  // namespace common::nats::detail
