#include "groundcontrol/messaging/event_intake.hpp"

#include <condition_variable>
#include <mutex>

#include "common/fleet_wire/nats_subjects.hpp"
#include "common/nats/pull_subscription.hpp"

namespace groundcontrol::messaging {

namespace subjects = common::fleet_wire::nats_subjects;
using common::fleet_wire::EventType;

namespace {
// A fetch of answers is one transaction: large batches keep a round of 1,000 a few commits.
constexpr int kBatch = 256;
constexpr auto kFetchWait = std::chrono::seconds(1);
constexpr auto kRetryWait = std::chrono::seconds(1);

void pause(std::stop_token stop) {
  std::mutex mutex;
  std::condition_variable_any woken;
  std::unique_lock lock(mutex);
  woken.wait_for(lock, stop, kRetryWait, [] { return false; });
}
}  // namespace

void EventIntake::start() {
  thread_ = std::jthread([this](std::stop_token stop) { run(stop); });
}

void EventIntake::stop() {
  if (!thread_.joinable()) return;
  thread_.request_stop();
  thread_.join();
}

std::vector<Disposition> EventIntake::handle_all(std::span<const Incoming> batch) {
  std::vector<Disposition> out(batch.size(), Disposition::kAck);
  // The answers of the batch are recorded together, in one transaction.
  std::vector<common::fleet_wire::CommandAnswer> answers;
  std::vector<std::size_t> answer_at;
  for (std::size_t i = 0; i < batch.size(); ++i) {
    const auto [subject, data] = batch[i];
    const auto from = subjects::parse_event_subject(subject);
    if (!from) {
      logger_->warn("NATS event on {} dropped: not an event subject", subject);
      out[i] = Disposition::kTerm;
      continue;
    }
    if (from->name != common::fleet_wire::event_type_name(EventType::kCommandAnswered)) {
      out[i] = handle_event(*from, subject, data);
      continue;
    }
    auto answer = common::fleet_wire::parse_command_answer(data);
    if (!answer) {
      logger_->warn("NATS answer from {} dropped: {}", from->satellite, answer.error().message());
      out[i] = Disposition::kTerm;
      continue;
    }
    if (answer->satellite != from->satellite) {
      logger_->warn("NATS answer on {} claims to come from {}: dropped as forged", subject,
                    answer->satellite);
      out[i] = Disposition::kTerm;
      continue;
    }
    answers.push_back(std::move(*answer));
    answer_at.push_back(i);
  }
  if (answers.empty()) return out;
  auto recorded = commands_.record_answers(answers);
  if (!recorded) {
    logger_->warn("NATS: {} answers not recorded yet: {}", answers.size(),
                  recorded.error().message());
    for (const auto i : answer_at) out[i] = Disposition::kRetry;
    return out;
  }
  answers_recorded_ += *recorded;
  if (*recorded < answers.size())
    logger_->debug("NATS: {} answers changed nothing (repeated, late or unknown)",
                   answers.size() - *recorded);
  return out;
}

Disposition EventIntake::handle_event(const subjects::EventSubject& from, std::string_view subject,
                                      std::string_view data) {
  auto event = common::fleet_wire::parse_satellite_event(data);
  if (!event) {
    logger_->warn("NATS event from {} dropped: {}", from.satellite, event.error().message());
    return Disposition::kTerm;
  }
  if (event->satellite != from.satellite ||
      common::fleet_wire::event_type_name(event->type) != from.name) {
    logger_->warn("NATS event on {} claims to be {} of {}: dropped as forged", subject,
                  common::fleet_wire::event_type_name(event->type), event->satellite);
    return Disposition::kTerm;
  }
  if (on_event_) {
    if (auto ok = on_event_(*event); !ok) {
      logger_->warn("NATS event from {} not recorded yet: {}", from.satellite,
                    ok.error().message());
      return Disposition::kRetry;
    }
  }
  return Disposition::kAck;
}

void EventIntake::run(std::stop_token stop) {
  // The subscription is bound through `session` and goes with it.
  std::optional<common::nats::PullSubscription> subscription;
  std::shared_ptr<NatsLink::Session> session;
  while (!stop.stop_requested()) {
    if (session && session->closed.load()) {
      subscription.reset();
      session.reset();
    }
    if (!subscription) {
      auto current = link_.session();
      auto bound =
          current
              ? common::nats::PullSubscription::bind(*(*current)->jetstream, subjects::kEventStream,
                                                     subjects::kGroundControlConsumer)
              : common::Result<common::nats::PullSubscription>(common::fail(current.error()));
      if (!bound) {
        pause(stop);
        continue;
      }
      subscription.emplace(std::move(*bound));
      session = std::move(*current);
    }
    auto messages = subscription->fetch(kBatch, kFetchWait);
    if (!messages) {
      if (messages.error().code() == common::ErrorCode::kNotFound) subscription.reset();
      pause(stop);
      continue;
    }
    std::vector<Incoming> batch;
    batch.reserve(messages->size());
    for (const auto& message : *messages) batch.push_back({message.subject(), message.data()});
    const auto dispositions = handle_all(batch);
    for (std::size_t i = 0; i < messages->size(); ++i) {
      auto& message = (*messages)[i];
      switch (dispositions[i]) {
        case Disposition::kAck:
          (void)message.ack();
          break;
        case Disposition::kTerm:
          (void)message.term();
          break;
        case Disposition::kRetry:
          (void)message.nak(std::chrono::seconds(2));
          break;
      }
    }
  }
}

}  // namespace groundcontrol::messaging
