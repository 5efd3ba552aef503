// CommandDispatcher: the sending side of the command outbox (docs/adr/0008). Its thread
// publishes Pending commands (service::CommandService) to `<satellite>.command.<type>` in
// JetStream, the command id as Nats-Msg-Id, and marks each Sent with its stream sequence.
// It publishes at once what its own replica stored (kCommandChannel's payload names the
// storing replica) and when NATS comes back; once a second it also publishes what is
// overdue (kOverdue old), whoever stored it: a replica that died or lost NATS before its
// dispatcher got to its commands. While NATS is down nothing is lost: commands stay Pending
// and go out when it returns. Replicas may still race on one command (an overdue one):
// JetStream keeps one copy (same msg id within the duplicate window) and only one mark_sent
// wins. A command that expired while Sent has its stream message deleted (forget_expired),
// so a satellite coming back after months does not receive it.
// Thread-safety: start/stop from the owner; wake() and forget_expired() from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "common/log/logger.hpp"
#include "common/sql/database.hpp"
#include "common/sql/subscription.hpp"
#include "groundcontrol/messaging/nats_link.hpp"
#include "groundcontrol/model/satellite_command.hpp"
#include "groundcontrol/service/command_service.hpp"

namespace groundcontrol::messaging {

class CommandDispatcher {
 public:
  // Borrows all of them; they must outlive it.
  CommandDispatcher(service::CommandService& commands, NatsLink& link, common::sql::Database& db,
                    common::log::Logger logger)
      : commands_(commands), link_(link), db_(db), logger_(std::move(logger)) {}
  ~CommandDispatcher() { stop(); }
  CommandDispatcher(const CommandDispatcher&) = delete;
  CommandDispatcher& operator=(const CommandDispatcher&) = delete;

  // Listens for stored commands and starts the thread. Errors: the database's listen().
  [[nodiscard]] common::Status start();
  void stop();
  void wake();

  // One round: publishes up to `batch` Pending commands issued at least `min_age` ago,
  // oldest first; returns how many were published. Stops at the first publish NATS refuses
  // (down, timeout): the rest wait.
  static constexpr std::size_t kBatch = 256;
  // When another replica's commands are this replica's to publish. Above the time the
  // storing replica takes for a large round (1,000 commands: ~1 s at 10,000 satellites).
  static constexpr std::chrono::seconds kOverdue{3};
  [[nodiscard]] common::Result<std::size_t> publish_pending(std::size_t batch = kBatch,
                                                            std::chrono::seconds min_age = {});
  // Deletes the JetStream messages of commands that expired while Sent (best effort: a
  // message the satellite already took is gone anyway).
  void forget_expired(const std::vector<model::SatelliteCommand>& expired);
  // Commands this replica published since start: /metrics.
  std::uint64_t published() const noexcept { return published_total_.load(); }

 private:
  void run();
  bool stopping();

  service::CommandService& commands_;
  NatsLink& link_;
  common::sql::Database& db_;
  common::log::Logger logger_;
  std::optional<common::sql::Subscription> subscription_;
  std::mutex mutex_;
  std::condition_variable woken_;
  bool pending_wake_ = false;  // own commands stored, or NATS back: publish all now
  bool stopping_ = false;
  std::atomic<std::uint64_t> published_total_{0};
  std::thread thread_;
};

}  // namespace groundcontrol::messaging
