// JetStream::publish_all: a batch of publishes pipelined on core NATS, as libnats's
// js_PublishAsync does, without its per-context handler. Every message goes out with its own
// reply subject under one inbox (`<inbox>.<index>`), then the acknowledgements are read as
// they come: one round trip for the batch instead of one per message.
#include <fmt/format.h>

#include <charconv>
#include <chrono>
#include <nlohmann/json.hpp>
#include <string>

#include "common/nats/detail/jetstream_core.hpp"
#include "common/nats/detail/nats_error.hpp"
#include "common/nats/jetstream.hpp"

namespace common::nats {
namespace {

using detail::check;

// A fresh reply inbox under the connection's prefix (satellites may only use their own).
Result<std::string> fresh_inbox(const std::string& prefix) {
  natsInbox* raw = nullptr;
  if (auto ok = check(natsInbox_Create(&raw), "make an inbox"); !ok) return fail(ok.error());
  std::string inbox(raw);
  natsInbox_Destroy(raw);
  if (prefix.empty()) return inbox;
  return prefix + inbox.substr(inbox.find('.'));  // "_INBOX.<nuid>" → "<prefix>.<nuid>"
}

// The acknowledgement JetStream sent for `subject`, or the error it gave.
Result<PublishAck> read_ack(natsMsg* reply, const std::string& subject) {
  const auto what = "publish to stream on " + subject;
  const std::string_view body(natsMsg_GetData(reply),
                              static_cast<std::size_t>(natsMsg_GetDataLength(reply)));
  const auto json = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (!json.is_object()) return fail(ErrorCode::kInternal, what + ": unreadable acknowledgement");
  if (const auto error = json.find("error"); error != json.end()) {
    const auto code = error->value("err_code", 0);
    return fail(detail::nats_error(NATS_ERR, what + ": " + error->value("description", ""),
                                   static_cast<jsErrCode>(code)));
  }
  return PublishAck{.stream = json.value("stream", ""),
                    .sequence = json.value("seq", std::uint64_t{0}),
                    .duplicate = json.value("duplicate", false)};
}

// `error` as the outcome of each of `count` messages.
std::vector<Result<PublishAck>> all_failed(std::size_t count, const Error& error) {
  return std::vector<Result<PublishAck>>(count, Result<PublishAck>(fail(error)));
}

}  // namespace

std::vector<Result<PublishAck>> JetStream::publish_all(std::span<const Outgoing> batch) {
  if (batch.empty()) return {};
  const auto fail_all = [&](const Error& error) { return all_failed(batch.size(), error); };
  if (auto ok = core_->require_connected("publish to stream"); !ok) return fail_all(ok.error());
  auto inbox = fresh_inbox(core_->inbox_prefix);
  if (!inbox) return fail_all(inbox.error());
  natsSubscription* raw_sub = nullptr;
  if (auto ok =
          check(natsConnection_SubscribeSync(&raw_sub, core_->connection, (*inbox + ".*").c_str()),
                "subscribe to acknowledgements");
      !ok) {
    return fail_all(ok.error());
  }
  const detail::SubscriptionHandle subscription(raw_sub);
  (void)natsSubscription_SetPendingLimits(raw_sub, -1, -1);  // the batch's answers all wait

  auto out = all_failed(batch.size(), Error(ErrorCode::kTimeout,
                                            "publish to stream: no acknowledgement (it may or "
                                            "may not be stored)"));
  std::vector<bool> answered(batch.size(), false);
  std::size_t outstanding = 0;
  std::vector<std::string> subjects(batch.size());
  for (std::size_t i = 0; i < batch.size(); ++i) {
    const auto& one = batch[i];
    subjects[i] = std::string(one.subject);
    const auto reply = fmt::format("{}.{}", *inbox, i);
    const auto what = "publish to stream on " + subjects[i];
    natsMsg* raw_msg = nullptr;
    auto made = check(natsMsg_Create(&raw_msg, subjects[i].c_str(), reply.c_str(), one.data.data(),
                                     static_cast<int>(one.data.size())),
                      what);
    const detail::MsgHandle msg(raw_msg);
    if (made && !one.msg_id.empty())
      made =
          check(natsMsgHeader_Set(raw_msg, "Nats-Msg-Id", std::string(one.msg_id).c_str()), what);
    if (made) made = check(natsConnection_PublishMsg(core_->connection, raw_msg), what);
    if (!made) {
      out[i] = fail(made.error());
      answered[i] = true;
      continue;
    }
    ++outstanding;
  }
  // libnats reads a "no responders" answer (no stream captures the subject) as
  // NATS_NO_RESPONDERS from NextMsg and keeps the message, so which one it answered is
  // unknown: those are counted, and when every unanswered one is accounted for so, they are
  // no-stream failures rather than timeouts.
  std::size_t no_stream = 0;
  const auto deadline = std::chrono::steady_clock::now() + core_->timeout;
  while (outstanding > no_stream) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) break;
    natsMsg* raw_reply = nullptr;
    const auto status = natsSubscription_NextMsg(&raw_reply, raw_sub, left.count());
    const detail::MsgHandle reply(raw_reply);
    if (status == NATS_NO_RESPONDERS) {
      ++no_stream;
      continue;
    }
    if (status != NATS_OK) break;
    const std::string_view subject(natsMsg_GetSubject(raw_reply));
    const auto tail = subject.substr(subject.rfind('.') + 1);
    std::size_t index = 0;
    const auto [end, ec] = std::from_chars(tail.data(), tail.data() + tail.size(), index);
    if (ec != std::errc{} || end != tail.data() + tail.size() || index >= batch.size() ||
        answered[index])
      continue;  // not one of ours, or a repeat
    answered[index] = true;
    --outstanding;
    out[index] = read_ack(raw_reply, subjects[index]);
  }
  if (outstanding > 0 && outstanding == no_stream)
    for (std::size_t i = 0; i < batch.size(); ++i)
      if (!answered[i])
        out[i] = fail(ErrorCode::kUnavailable,
                      "publish to stream on " + subjects[i] + ": no stream captures the subject");
  return out;
}

}  // namespace common::nats
