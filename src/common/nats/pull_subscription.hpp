// PullSubscription: a client bound to an existing durable pull consumer, fetching its
// messages in batches. Binding only looks the consumer up (CONSUMER.INFO) and never creates
// or changes it, so a satellite needs no $JS.API.CONSUMER.CREATE permission; destroying
// the subscription leaves the consumer and its undelivered messages on the server, to be
// fetched by the next bind (after a restart, a lost link).
//
// Ownership: borrows the JetStream's Connection, which must outlive it and every JsMessage
// it returned. Move-only. Thread-safety: one fetch at a time; acks from any thread.
#pragma once

#include <chrono>
#include <memory>
#include <string_view>
#include <vector>

#include "common/nats/js_message.hpp"
#include "common/result.hpp"

namespace common::nats {

class JetStream;

namespace detail {
struct PullSubscriptionCore;
}

class PullSubscription {
 public:
  // Binds to consumer `durable` of `stream`. Errors: kNotFound (no such stream or consumer),
  // kInvalidArgument (not a pull consumer), kTimeout, kUnavailable (not connected: fails at
  // once; bind again once connected).
  [[nodiscard]] static Result<PullSubscription> bind(JetStream& jetstream, std::string_view stream,
                                                     std::string_view durable);
  PullSubscription(PullSubscription&& other) noexcept;
  PullSubscription& operator=(PullSubscription&& other) noexcept;
  ~PullSubscription();

  // Up to `batch` messages, waiting at most `timeout` for the first; an empty vector when
  // none arrived in time (not an error), also while the connection is down, so a fetch loop
  // neither spins nor needs to tell the two apart. Errors: kUnavailable (not connected, closed),
  // kNotFound (the consumer was deleted), kInvalidArgument (batch < 1).
  [[nodiscard]] Result<std::vector<JsMessage>> fetch(int batch, std::chrono::milliseconds timeout);

 private:
  explicit PullSubscription(std::unique_ptr<detail::PullSubscriptionCore> core) noexcept;

  std::unique_ptr<detail::PullSubscriptionCore> core_;
};

}  // namespace common::nats
