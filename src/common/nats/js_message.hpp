// JsMessage: one message delivered by a JetStream consumer (PullSubscription::fetch), with
// its delivery metadata and the acknowledgements that settle it. The payload, subject and
// headers are copies; the acknowledgements go through the subscription's connection.
//
// Ownership: move-only. REQUIRES: it does not outlive the PullSubscription that fetched it.
// Thread-safety: one thread at a time per message; different messages are independent.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "common/nats/message.hpp"
#include "common/result.hpp"

namespace common::nats {

namespace detail {
struct JsMessageCore;
}

class JsMessage {
 public:
  explicit JsMessage(std::unique_ptr<detail::JsMessageCore> core) noexcept;
  JsMessage(JsMessage&& other) noexcept;
  JsMessage& operator=(JsMessage&& other) noexcept;
  ~JsMessage();

  const std::string& subject() const noexcept;
  const std::string& data() const noexcept;
  const Headers& headers() const noexcept;
  // Position in the stream (what JetStream::delete_message takes).
  std::uint64_t stream_sequence() const noexcept;
  // 1 on first delivery, 2 after one redelivery (nak, ack wait expired), ...
  std::uint64_t delivery_count() const noexcept;

  // Done: the server confirms it before this returns, so on a work-queue stream the message
  // is gone when it succeeds. Errors: kTimeout (unconfirmed: it may come again, which the
  // receiver must tolerate), kUnavailable (not connected).
  [[nodiscard]] Status ack();
  // Not done: deliver again after `delay` (0: at once). Errors: kUnavailable.
  [[nodiscard]] Status nak(std::chrono::milliseconds delay = {});
  // Still working: restarts the ack wait so the message is not redelivered meanwhile.
  // Errors: kUnavailable.
  [[nodiscard]] Status in_progress();
  // Never deliver again (e.g. a command that cannot be parsed). Errors: kUnavailable.
  [[nodiscard]] Status term();

 private:
  std::unique_ptr<detail::JsMessageCore> core_;
};

}  // namespace common::nats
