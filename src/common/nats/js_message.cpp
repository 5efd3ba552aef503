#include "common/nats/js_message.hpp"

#include "common/nats/detail/js_message_core.hpp"
#include "common/nats/detail/native_message.hpp"
#include "common/nats/detail/nats_error.hpp"

namespace common::nats {
namespace detail {

Result<std::unique_ptr<JsMessageCore>> adopt_js_message(MsgHandle msg,
                                                        std::chrono::milliseconds ack_timeout) {
  jsMsgMetaData* raw = nullptr;
  if (auto ok = check(natsMsg_GetMetaData(&raw, msg.get()), "read JetStream metadata"); !ok) {
    return fail(ok.error());
  }
  const MetaDataHandle meta(raw);
  auto core = std::make_unique<JsMessageCore>();
  Message copy = copy_message(msg.get());
  core->subject = std::move(copy.subject);
  core->data = std::move(copy.data);
  core->headers = std::move(copy.headers);
  core->stream_sequence = meta->Sequence.Stream;
  core->delivery_count = meta->NumDelivered;
  core->ack_timeout = ack_timeout;
  core->msg = std::move(msg);
  return core;
}

}  // namespace detail

JsMessage::JsMessage(std::unique_ptr<detail::JsMessageCore> core) noexcept
    : core_(std::move(core)) {}
JsMessage::JsMessage(JsMessage&& other) noexcept = default;
JsMessage& JsMessage::operator=(JsMessage&& other) noexcept = default;
JsMessage::~JsMessage() = default;

const std::string& JsMessage::subject() const noexcept {
  return core_->subject;
}
const std::string& JsMessage::data() const noexcept {
  return core_->data;
}
const Headers& JsMessage::headers() const noexcept {
  return core_->headers;
}
std::uint64_t JsMessage::stream_sequence() const noexcept {
  return core_->stream_sequence;
}
std::uint64_t JsMessage::delivery_count() const noexcept {
  return core_->delivery_count;
}

Status JsMessage::ack() {
  jsOptions options;
  jsOptions_Init(&options);
  options.Wait = core_->ack_timeout.count();
  jsErrCode code{};
  return detail::check(natsMsg_AckSync(core_->msg.get(), &options, &code), "ack " + core_->subject,
                       code);
}

Status JsMessage::nak(std::chrono::milliseconds delay) {
  return detail::check(delay.count() > 0
                           ? natsMsg_NakWithDelay(core_->msg.get(), delay.count(), nullptr)
                           : natsMsg_Nak(core_->msg.get(), nullptr),
                       "nak " + core_->subject);
}

Status JsMessage::in_progress() {
  return detail::check(natsMsg_InProgress(core_->msg.get(), nullptr),
                       "in-progress ack " + core_->subject);
}

Status JsMessage::term() {
  return detail::check(natsMsg_Term(core_->msg.get(), nullptr), "term " + core_->subject);
}

}  // namespace common::nats
