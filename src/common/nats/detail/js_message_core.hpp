// What a JsMessage owns: the libnats message (the acks go through it) and copies of what
// callers read, taken once when it is fetched.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "common/nats/detail/nats_handles.hpp"
#include "common/nats/message.hpp"

namespace common::nats::detail {

struct JsMessageCore {
  MsgHandle msg;
  std::chrono::milliseconds ack_timeout{5000};
  std::string subject;
  std::string data;
  Headers headers;
  std::uint64_t stream_sequence = 0;
  std::uint64_t delivery_count = 0;
};

// Takes ownership of `msg` (a JetStream delivery) and reads its metadata. Errors:
// kInternal (no JetStream metadata: not a JetStream delivery).
[[nodiscard]] Result<std::unique_ptr<JsMessageCore>> adopt_js_message(
    MsgHandle msg, std::chrono::milliseconds ack_timeout);

}  // namespace common::nats::detail
