#include "common/nats/jetstream.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <string>
#include <vector>

#include "common/nats/connection.hpp"
#include "common/nats/detail/connection_core.hpp"
#include "common/nats/detail/jetstream_core.hpp"
#include "common/nats/detail/nats_error.hpp"

namespace common::nats {
namespace {

using detail::check;

constexpr std::int64_t nanos(std::chrono::nanoseconds d) {
  return d.count();
}

bool is_not_found(natsStatus status, jsErrCode code) {
  return status == NATS_NOT_FOUND || code == JSStreamNotFoundErr || code == JSConsumerNotFoundErr;
}

// A stream config for `spec`; points into `spec` and `subjects`, which must outlive it.
jsStreamConfig stream_config(const StreamSpec& spec, std::vector<const char*>& subjects) {
  jsStreamConfig config;
  jsStreamConfig_Init(&config);
  config.Name = spec.name.c_str();
  subjects.clear();
  for (const auto& subject : spec.subjects) subjects.push_back(subject.c_str());
  config.Subjects = subjects.data();
  config.SubjectsLen = static_cast<int>(subjects.size());
  config.Retention = spec.retention == Retention::kWorkQueue ? js_WorkQueuePolicy : js_LimitsPolicy;
  config.Storage = spec.storage == Storage::kFile ? js_FileStorage : js_MemoryStorage;
  config.MaxAge = nanos(spec.max_age);
  config.Duplicates = nanos(spec.duplicate_window);
  config.MaxBytes = spec.max_bytes > 0 ? spec.max_bytes : -1;
  config.MaxMsgsPerSubject = spec.max_messages_per_subject > 0 ? spec.max_messages_per_subject : -1;
  config.Discard = js_DiscardOld;
  return config;
}

bool same_stream(const jsStreamConfig& have, const jsStreamConfig& want) {
  std::vector<std::string> a(have.Subjects, have.Subjects + have.SubjectsLen);
  std::vector<std::string> b(want.Subjects, want.Subjects + want.SubjectsLen);
  std::sort(a.begin(), a.end());
  std::sort(b.begin(), b.end());
  // A zero duplicate window means "the server's default", which the server fills in.
  const bool same_window = want.Duplicates == 0 || have.Duplicates == want.Duplicates;
  // The server stores "no limit" as -1 whatever the client sent (0 or -1).
  const auto limit = [](std::int64_t n) { return n <= 0 ? -1 : n; };
  return a == b && have.Retention == want.Retention && have.Storage == want.Storage &&
         have.MaxAge == want.MaxAge && same_window &&
         limit(have.MaxBytes) == limit(want.MaxBytes) &&
         limit(have.MaxMsgsPerSubject) == limit(want.MaxMsgsPerSubject) &&
         have.Discard == want.Discard;
}

jsConsumerConfig consumer_config(const ConsumerSpec& spec) {
  jsConsumerConfig config;
  jsConsumerConfig_Init(&config);
  config.Durable = spec.durable.c_str();
  if (!spec.filter_subject.empty()) config.FilterSubject = spec.filter_subject.c_str();
  config.AckPolicy = js_AckExplicit;
  config.DeliverPolicy = js_DeliverAll;
  config.AckWait = nanos(spec.ack_wait);
  config.MaxDeliver = spec.max_deliver;
  return config;
}

bool same_consumer(const jsConsumerConfig& have, const jsConsumerConfig& want) {
  const std::string have_filter = have.FilterSubject != nullptr ? have.FilterSubject : "";
  const std::string want_filter = want.FilterSubject != nullptr ? want.FilterSubject : "";
  // The server stores "no limit" as -1 whatever the client sent (0 or -1).
  const auto deliver = [](std::int64_t n) { return n <= 0 ? -1 : n; };
  return have_filter == want_filter && have.AckPolicy == want.AckPolicy &&
         have.DeliverPolicy == want.DeliverPolicy && have.AckWait == want.AckWait &&
         deliver(have.MaxDeliver) == deliver(want.MaxDeliver) && have.DeliverSubject == nullptr;
}

}  // namespace

Result<JetStream> JetStream::create(Connection& connection, JetStreamOptions options) {
  auto core = std::make_unique<detail::JetStreamCore>();
  core->timeout = options.timeout;
  core->domain = options.domain;
  jsOptions js_options = core->call_options();
  jsCtx* raw = nullptr;
  if (auto ok =
          check(natsConnection_JetStream(&raw, connection.core_->connection.get(), &js_options),
                "open JetStream context");
      !ok) {
    return fail(ok.error());
  }
  core->context.reset(raw);
  core->connection = connection.core_->connection.get();
  core->inbox_prefix = connection.core_->options.inbox_prefix;
  return JetStream(std::move(core));
}

JetStream::JetStream(std::unique_ptr<detail::JetStreamCore> core) noexcept
    : core_(std::move(core)) {}
JetStream::JetStream(JetStream&& other) noexcept = default;
JetStream& JetStream::operator=(JetStream&& other) noexcept = default;
JetStream::~JetStream() = default;

Status JetStream::ensure_stream(const StreamSpec& spec) {
  std::vector<const char*> subjects;
  jsStreamConfig want = stream_config(spec, subjects);
  jsOptions options = core_->call_options();
  const std::string what = "ensure stream " + spec.name;
  if (auto ok = core_->require_connected(what); !ok) return ok;
  // Two attempts: another replica may create the stream between our look-up and our add.
  for (int attempt = 0;; ++attempt) {
    jsStreamInfo* raw = nullptr;
    jsErrCode code{};
    natsStatus s = js_GetStreamInfo(&raw, core_->context.get(), spec.name.c_str(), &options, &code);
    const detail::StreamInfoHandle info(raw);
    if (s == NATS_OK) {
      if (same_stream(*info->Config, want)) return {};
      jsStreamInfo* updated = nullptr;
      s = js_UpdateStream(&updated, core_->context.get(), &want, &options, &code);
      const detail::StreamInfoHandle updated_info(updated);
      return check(s, what + " (update)", code);
    }
    if (!is_not_found(s, code)) return check(s, what, code);
    jsStreamInfo* added = nullptr;
    s = js_AddStream(&added, core_->context.get(), &want, &options, &code);
    const detail::StreamInfoHandle added_info(added);
    if (s == NATS_OK) return {};
    if (code != JSStreamNameExistErr || attempt == 1) return check(s, what + " (create)", code);
  }
}

Status JetStream::ensure_consumer(std::string_view stream, const ConsumerSpec& spec) {
  const std::string stream_name(stream);
  jsConsumerConfig want = consumer_config(spec);
  jsOptions options = core_->call_options();
  const std::string what = fmt::format("ensure consumer {} on {}", spec.durable, stream_name);
  if (auto ok = core_->require_connected(what); !ok) return ok;
  for (int attempt = 0;; ++attempt) {
    jsConsumerInfo* raw = nullptr;
    jsErrCode code{};
    natsStatus s = js_GetConsumerInfo(&raw, core_->context.get(), stream_name.c_str(),
                                      spec.durable.c_str(), &options, &code);
    const detail::ConsumerInfoHandle info(raw);
    if (s == NATS_OK) {
      if (same_consumer(*info->Config, want)) return {};
      jsConsumerInfo* updated = nullptr;
      s = js_UpdateConsumer(&updated, core_->context.get(), stream_name.c_str(), &want, &options,
                            &code);
      const detail::ConsumerInfoHandle updated_info(updated);
      return check(s, what + " (update)", code);
    }
    // A missing stream is an error here, not a reason to create the consumer.
    if (code == JSStreamNotFoundErr || !is_not_found(s, code)) return check(s, what, code);
    jsConsumerInfo* added = nullptr;
    s = js_AddConsumer(&added, core_->context.get(), stream_name.c_str(), &want, &options, &code);
    const detail::ConsumerInfoHandle added_info(added);
    if (s == NATS_OK) return {};
    if (code != JSConsumerNameExistErr || attempt == 1) return check(s, what + " (create)", code);
  }
}

Result<PublishAck> JetStream::publish(std::string_view subject, std::string_view data,
                                      std::string_view msg_id) {
  const std::string subj(subject);
  const std::string id(msg_id);
  if (auto ok = core_->require_connected("publish to stream on " + subj); !ok) {
    return fail(ok.error());
  }
  jsPubOptions options;
  jsPubOptions_Init(&options);
  options.MaxWait = core_->timeout.count();
  if (!id.empty()) options.MsgId = id.c_str();
  jsPubAck* raw = nullptr;
  jsErrCode code{};
  const natsStatus s = js_Publish(&raw, core_->context.get(), subj.c_str(), data.data(),
                                  static_cast<int>(data.size()), &options, &code);
  const detail::PubAckHandle ack(raw);
  if (auto ok = check(s, "publish to stream on " + subj, code); !ok) return fail(ok.error());
  return PublishAck{.stream = ack->Stream, .sequence = ack->Sequence, .duplicate = ack->Duplicate};
}

Status JetStream::delete_message(std::string_view stream, std::uint64_t sequence) {
  const std::string stream_name(stream);
  if (auto ok = core_->require_connected("delete message"); !ok) return ok;
  jsOptions options = core_->call_options();
  jsErrCode code{};
  auto ok =
      check(js_DeleteMsg(core_->context.get(), stream_name.c_str(), sequence, &options, &code),
            fmt::format("delete message {} of stream {}", sequence, stream_name), code);
  // libnats 3.4.1 drops the server's error code for this call and keeps only its text.
  if (!ok && ok.error().code() == ErrorCode::kInternal &&
      ok.error().message().ends_with("no message found")) {
    return fail(ErrorCode::kNotFound, ok.error().message(), ok.error().detail());
  }
  return ok;
}

Result<std::vector<std::string>> JetStream::consumer_names(std::string_view stream) {
  const std::string stream_name(stream);
  const std::string what = "list the consumers of " + stream_name;
  if (auto ok = core_->require_connected(what); !ok) return fail(ok.error());
  jsOptions options = core_->call_options();
  jsConsumerNamesList* raw = nullptr;
  jsErrCode code{};
  const natsStatus s =
      js_ConsumerNames(&raw, core_->context.get(), stream_name.c_str(), &options, &code);
  const detail::ConsumerNamesHandle list(raw);
  // libnats answers a stream without consumers with NATS_NOT_FOUND and no list.
  if (s == NATS_NOT_FOUND && code == 0) return std::vector<std::string>{};
  if (auto ok = check(s, what, code); !ok) return fail(ok.error());
  std::vector<std::string> names;
  if (list) names.assign(list->List, list->List + list->Count);
  return names;
}

Status JetStream::delete_consumer(std::string_view stream, std::string_view durable) {
  const std::string stream_name(stream);
  const std::string consumer(durable);
  const std::string what = fmt::format("delete consumer {} of {}", consumer, stream_name);
  if (auto ok = core_->require_connected(what); !ok) return ok;
  jsOptions options = core_->call_options();
  jsErrCode code{};
  return check(js_DeleteConsumer(core_->context.get(), stream_name.c_str(), consumer.c_str(),
                                 &options, &code),
               what, code);
}

Status JetStream::purge_subject(std::string_view stream, std::string_view subject) {
  const std::string stream_name(stream);
  const std::string filter(subject);
  const std::string what = fmt::format("purge {} from {}", filter, stream_name);
  if (auto ok = core_->require_connected(what); !ok) return ok;
  jsOptions options = core_->call_options();
  options.Stream.Purge.Subject = filter.c_str();
  jsErrCode code{};
  return check(js_PurgeStream(core_->context.get(), stream_name.c_str(), &options, &code), what,
               code);
}

Result<ConsumerInfo> JetStream::consumer_info(std::string_view stream, std::string_view durable) {
  const std::string stream_name(stream);
  const std::string consumer(durable);
  if (auto ok = core_->require_connected("consumer info " + consumer); !ok) {
    return fail(ok.error());
  }
  jsOptions options = core_->call_options();
  jsConsumerInfo* raw = nullptr;
  jsErrCode code{};
  const natsStatus s = js_GetConsumerInfo(&raw, core_->context.get(), stream_name.c_str(),
                                          consumer.c_str(), &options, &code);
  const detail::ConsumerInfoHandle info(raw);
  if (auto ok = check(s, fmt::format("consumer info {} on {}", consumer, stream_name), code); !ok) {
    return fail(ok.error());
  }
  return ConsumerInfo{.num_pending = info->NumPending,
                      .num_ack_pending = info->NumAckPending,
                      .num_redelivered = info->NumRedelivered};
}

}  // namespace common::nats
