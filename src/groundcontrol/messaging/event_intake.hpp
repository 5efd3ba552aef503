// EventIntake: ground control's reader of the satellites' events stream (docs/adr/0008).
// Every replica pulls from the one durable consumer, so each event is handled by one of
// them, and handling is idempotent (a repeated answer changes nothing), so a redelivery
// after a crash is harmless. A command answer (`<sat>.event.command.acknowledged`) settles
// its command; any other event goes to `on_event` (the audit trail, webhooks). The subject
// says which satellite sent it — NATS lets a satellite publish only under its own name —
// and a payload naming another satellite is refused as forged (terminated, logged).
// Unreadable payloads are terminated too: redelivering them would not make them readable.
// Thread-safety: start/stop from the owner; handle_all() from one thread at a time.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <span>
#include <string_view>
#include <thread>
#include <vector>

#include "common/fleet_wire/command.hpp"
#include "common/fleet_wire/nats_subjects.hpp"
#include "common/log/logger.hpp"
#include "groundcontrol/messaging/nats_link.hpp"
#include "groundcontrol/service/command_service.hpp"

namespace groundcontrol::messaging {

using EventSink = std::function<common::Status(const common::fleet_wire::SatelliteEvent&)>;

enum class Disposition {
  kAck,    // handled (or a harmless repeat)
  kTerm,   // never handle it: unreadable, forged
  kRetry,  // the database failed: deliver again later
};

class EventIntake {
 public:
  // Borrows `commands` and `link`.
  EventIntake(service::CommandService& commands, EventSink on_event, NatsLink& link,
              common::log::Logger logger)
      : commands_(commands),
        on_event_(std::move(on_event)),
        link_(link),
        logger_(std::move(logger)) {}
  ~EventIntake() { stop(); }
  EventIntake(const EventIntake&) = delete;
  EventIntake& operator=(const EventIntake&) = delete;

  void start();
  void stop();

  struct Incoming {
    std::string_view subject;
    std::string_view data;
  };
  // What to do with each message of a fetched batch; its answers are recorded in one
  // transaction (all kRetry when that fails).
  [[nodiscard]] std::vector<Disposition> handle_all(std::span<const Incoming> batch);
  // Answers that settled a command here since start (a repeat does not count): /metrics.
  std::uint64_t answers_recorded() const noexcept { return answers_recorded_.load(); }

 private:
  void run(std::stop_token stop);
  Disposition handle_event(const common::fleet_wire::nats_subjects::EventSubject& from,
                           std::string_view subject, std::string_view data);

  service::CommandService& commands_;
  EventSink on_event_;
  NatsLink& link_;
  common::log::Logger logger_;
  std::atomic<std::uint64_t> answers_recorded_{0};
  std::jthread thread_;
};

}  // namespace groundcontrol::messaging
