#include "common/nats/pull_subscription.hpp"

#include <fmt/format.h>

#include <string>

#include "common/nats/detail/jetstream_core.hpp"
#include "common/nats/detail/js_message_core.hpp"
#include "common/nats/detail/nats_error.hpp"
#include "common/nats/jetstream.hpp"

namespace common::nats {

namespace detail {

struct PullSubscriptionCore {
  SubscriptionHandle subscription;
  std::chrono::milliseconds ack_timeout{5000};
};

namespace {

// Owns what a fetch returned until each message is adopted.
struct MsgList {
  natsMsgList list{};
  ~MsgList() { natsMsgList_Destroy(&list); }
};

}  // namespace
}  // namespace detail

Result<PullSubscription> PullSubscription::bind(JetStream& jetstream, std::string_view stream,
                                                std::string_view durable) {
  const std::string stream_name(stream);
  const std::string consumer(durable);
  const std::string what = fmt::format("bind to consumer {} of {}", consumer, stream_name);
  if (auto ok = jetstream.core_->require_connected(what); !ok) return fail(ok.error());
  jsOptions options = jetstream.core_->call_options();
  jsSubOptions sub_options;
  jsSubOptions_Init(&sub_options);
  // Stream + Consumer: bind to the existing consumer, never create or change one.
  sub_options.Stream = stream_name.c_str();
  sub_options.Consumer = consumer.c_str();
  natsSubscription* raw = nullptr;
  jsErrCode code{};
  const natsStatus s = js_PullSubscribe(&raw, jetstream.core_->context.get(), nullptr,
                                        consumer.c_str(), &options, &sub_options, &code);
  if (auto ok = detail::check(s, what, code); !ok) {
    return fail(ok.error());
  }
  auto core = std::make_unique<detail::PullSubscriptionCore>();
  core->subscription.reset(raw);
  core->ack_timeout = jetstream.core_->timeout;
  return PullSubscription(std::move(core));
}

PullSubscription::PullSubscription(std::unique_ptr<detail::PullSubscriptionCore> core) noexcept
    : core_(std::move(core)) {}
PullSubscription::PullSubscription(PullSubscription&& other) noexcept = default;
PullSubscription& PullSubscription::operator=(PullSubscription&& other) noexcept = default;
// natsSubscription_Destroy alone: since libnats 3.4 it leaves the server's consumer alone
// (Unsubscribe would delete one the subscription had created; ours are only bound).
PullSubscription::~PullSubscription() = default;

Result<std::vector<JsMessage>> PullSubscription::fetch(int batch,
                                                       std::chrono::milliseconds timeout) {
  if (batch < 1) return fail(ErrorCode::kInvalidArgument, "fetch batch must be at least 1");
  detail::MsgList fetched;
  jsErrCode code{};
  const natsStatus s = natsSubscription_Fetch(&fetched.list, core_->subscription.get(), batch,
                                              timeout.count(), &code);
  std::vector<JsMessage> out;
  if (s == NATS_TIMEOUT && fetched.list.Count == 0) return out;  // nothing to do now
  if (s != NATS_OK && s != NATS_TIMEOUT) return fail(detail::nats_error(s, "fetch", code));
  out.reserve(static_cast<std::size_t>(fetched.list.Count));
  for (int i = 0; i < fetched.list.Count; ++i) {
    detail::MsgHandle msg(fetched.list.Msgs[i]);
    fetched.list.Msgs[i] = nullptr;  // now owned by `msg`
    auto core = detail::adopt_js_message(std::move(msg), core_->ack_timeout);
    if (!core) return fail(core.error());
    out.emplace_back(std::move(*core));
  }
  return out;
}

}  // namespace common::nats
