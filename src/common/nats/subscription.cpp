#include "common/nats/subscription.hpp"

#include <exception>

#include "common/nats/detail/native_message.hpp"
#include "common/nats/detail/nats_error.hpp"
#include "common/nats/detail/subscription_core.hpp"

namespace common::nats {
namespace detail {
namespace {

void on_message(natsConnection*, natsSubscription*, natsMsg* raw, void* closure) {
  const MsgHandle msg(raw);
  auto& core = *static_cast<SubscriptionCore*>(closure);
  try {
    core.handler(copy_message(msg.get()));
  } catch (...) {
    // An exception must not unwind into libnats's C thread.
  }
}

void on_complete(void* closure) {
  auto& core = *static_cast<SubscriptionCore*>(closure);
  const std::lock_guard lock(core.mutex);
  core.completed = true;
  core.completed_changed.notify_all();
}

}  // namespace

Status start_subscription(natsConnection* connection, const char* subject, SubscriptionCore& core) {
  natsSubscription* raw = nullptr;
  if (auto ok = check(natsConnection_Subscribe(&raw, connection, subject, on_message, &core),
                      std::string("subscribe to ") + subject);
      !ok) {
    return ok;
  }
  core.subscription.reset(raw);
  // Fails only when the subscription is already closed (the connection closed meanwhile):
  // then its delivery has ended and there is nothing to wait for.
  core.waits_for_completion = natsSubscription_SetOnCompleteCB(raw, on_complete, &core) == NATS_OK;
  return {};
}

}  // namespace detail

Subscription::Subscription(std::unique_ptr<detail::SubscriptionCore> core) noexcept
    : core_(std::move(core)) {}
Subscription::Subscription(Subscription&& other) noexcept = default;

Subscription& Subscription::operator=(Subscription&& other) noexcept {
  if (this != &other) {
    unsubscribe();
    core_ = std::move(other.core_);
  }
  return *this;
}

Subscription::~Subscription() {
  unsubscribe();
}

void Subscription::unsubscribe() noexcept {
  if (!core_) return;
  // Closing locally always succeeds even when the server cannot be told (disconnected);
  // the server forgets the interest with the connection anyway.
  (void)natsSubscription_Unsubscribe(core_->subscription.get());
  if (core_->waits_for_completion) {
    std::unique_lock lock(core_->mutex);
    core_->completed_changed.wait(lock, [&] { return core_->completed; });
  }
  core_.reset();
}

}  // namespace common::nats
