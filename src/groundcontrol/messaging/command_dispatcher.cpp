#include "groundcontrol/messaging/command_dispatcher.hpp"

#include <utility>

#include "common/fleet_wire/nats_subjects.hpp"

namespace groundcontrol::messaging {

namespace subjects = common::fleet_wire::nats_subjects;

namespace {
constexpr auto kIdleWait = std::chrono::seconds(1);
}  // namespace

common::Status CommandDispatcher::start() {
  // Other replicas' commands are theirs to publish; the idle round takes them once overdue.
  // After a reconnect of the listener, payloads were lost: any of them may be ours.
  auto subscription = db_.listen(
      std::string(service::kCommandChannel),
      [this](std::string_view origin) {
        if (origin == commands_.origin()) wake();
      },
      [this] { wake(); });
  if (!subscription) return common::fail(subscription.error());
  subscription_.emplace(std::move(*subscription));
  thread_ = std::thread([this] { run(); });
  return {};
}

void CommandDispatcher::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  woken_.notify_all();
  if (thread_.joinable()) thread_.join();
  subscription_.reset();
}

void CommandDispatcher::wake() {
  {
    std::lock_guard lock(mutex_);
    pending_wake_ = true;
  }
  woken_.notify_all();
}

bool CommandDispatcher::stopping() {
  std::lock_guard lock(mutex_);
  return stopping_;
}

void CommandDispatcher::run() {
  for (;;) {
    bool woken = false;
    {
      std::unique_lock lock(mutex_);
      woken_.wait_for(lock, kIdleWait, [this] { return stopping_ || pending_wake_; });
      if (stopping_) return;
      woken = std::exchange(pending_wake_, false);
    }
    const auto min_age = woken ? std::chrono::seconds(0) : kOverdue;
    // Quiet while NATS is down (this also replaces a connection libnats gave up on).
    if (!link_.session()) continue;
    // A full batch means more may wait: go on at once rather than at the next wake-up (the
    // commits that stored them woke us once for all).
    for (;;) {
      auto sent = publish_pending(kBatch, min_age);
      if (!sent) logger_->warn("commands: not published yet: {}", sent.error().message());
      if (!sent || *sent < kBatch || stopping()) break;
    }
  }
}

common::Result<std::size_t> CommandDispatcher::publish_pending(std::size_t batch,
                                                               std::chrono::seconds min_age) {
  auto pending = commands_.pending(batch, min_age);
  if (!pending) return common::fail(pending.error());
  if (pending->empty()) return std::size_t{0};
  auto session = link_.session();
  if (!session) return common::fail(session.error());
  auto& jetstream = *(*session)->jetstream;
  // Pipelined: the batch costs one round trip to JetStream, not one per command. Marked Sent
  // together after the batch is stored: one commit, not one per command. A crash before it
  // publishes them again, and JetStream keeps one of each (message id).
  std::vector<std::string> subject_of;
  std::vector<std::string> body_of;
  subject_of.reserve(pending->size());
  body_of.reserve(pending->size());
  std::vector<common::nats::JetStream::Outgoing> batch_out;
  batch_out.reserve(pending->size());
  for (const auto& command : *pending) {
    subject_of.push_back(subjects::command_subject(command.satellite, command.type));
    body_of.push_back(common::fleet_wire::to_json(model::to_wire(command)));
  }
  for (std::size_t i = 0; i < pending->size(); ++i)
    batch_out.push_back({subject_of[i], body_of[i], (*pending)[i].id});
  const auto acks = jetstream.publish_all(batch_out);
  std::vector<service::CommandService::Sent> sent;
  sent.reserve(pending->size());
  common::Status failed;
  for (std::size_t i = 0; i < acks.size(); ++i) {
    if (acks[i])
      sent.push_back({(*pending)[i].id, static_cast<std::int64_t>(acks[i]->sequence)});
    else if (failed)
      failed = common::fail(acks[i].error());  // the first failure; the rest wait their turn
  }
  if (!sent.empty()) {
    auto marked = commands_.mark_sent_all(sent);
    if (!marked) return common::fail(marked.error());
    published_total_ += sent.size();
  }
  if (!failed) return common::fail(failed.error());
  logger_->debug("commands: {} published", sent.size());
  return sent.size();
}

void CommandDispatcher::forget_expired(const std::vector<model::SatelliteCommand>& expired) {
  if (expired.empty()) return;
  auto session = link_.session();
  if (!session) return;  // the stream's max_age removes them in the end
  for (const auto& command : expired) {
    auto deleted = (*session)->jetstream->delete_message(
        subjects::kCommandStream, static_cast<std::uint64_t>(command.stream_sequence));
    if (!deleted && deleted.error().code() != common::ErrorCode::kNotFound)
      logger_->warn("command {} expired; its message stays until the stream's max age: {}",
                    command.id, deleted.error().message());
  }
}

}  // namespace groundcontrol::messaging
