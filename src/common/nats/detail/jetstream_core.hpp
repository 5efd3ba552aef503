// What a JetStream context owns, shared with PullSubscription (which subscribes through it).
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "common/nats/detail/nats_handles.hpp"
#include "common/result.hpp"

namespace common::nats::detail {

struct JetStreamCore {
  JsCtxHandle context;
  natsConnection* connection = nullptr;  // borrowed from the Connection
  std::chrono::milliseconds timeout{5000};
  std::string domain;        // "" the server's own
  std::string inbox_prefix;  // the connection's ("" libnats's default, _INBOX)

  // Per-call options carrying `timeout` (libnats takes the wait per call).
  jsOptions call_options() const {
    jsOptions options;
    jsOptions_Init(&options);
    options.Wait = timeout.count();
    if (!domain.empty()) options.Domain = domain.c_str();
    return options;
  }

  // kUnavailable unless the link is up: a JetStream call made while libnats reconnects would
  // only sit in its buffer until the timeout, so it fails at once instead.
  Status require_connected(std::string_view what) const {
    if (natsConnection_Status(connection) == NATS_CONN_STATUS_CONNECTED) return {};
    return fail(ErrorCode::kUnavailable, std::string(what) + ": not connected to NATS");
  }
};

}  // namespace common::nats::detail
