// CommandService: the ledger of commands sent to satellites over NATS
// (docs/adr/0008-nats-command-channel.md). An operator (or ground control itself, when a
// satellite's desired state changes) issues a command; it is stored Pending in the same
// transaction, and kCommandChannel is notified so that the dispatcher of any replica
// publishes it. The dispatcher marks it Sent; the satellite's answer, taken from the event
// stream by any replica, makes it Done or Failed; housekeeping expires what was not
// answered in time (nats-server 2.9 has no per-message TTL). Every transition is guarded in
// SQL, so replicas racing on one command, answers delivered twice and late answers all end
// in one final phase: the first. Blocking (database): call from the blocking pool.
// Thread-safety: any thread.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.hpp"
#include "common/fleet_wire/command.hpp"
#include "common/result.hpp"
#include "common/sql/database.hpp"
#include "groundcontrol/model/satellite_command.hpp"
#include "groundcontrol/service/resource_service.hpp"
#include "groundcontrol/store/command_store.hpp"
#include "groundcontrol/store/event_store.hpp"
#include "groundcontrol/store/resource_store.hpp"

namespace groundcontrol::service {

// Notified when commands are stored, so dispatchers wake. The payload is the storing
// replica's CommandConfig::origin: that replica publishes them at once, the others only
// once they are overdue (a replica that died before publishing), so that two replicas do
// not push the same batch through JetStream side by side.
inline constexpr std::string_view kCommandChannel = "groundcontrol_commands";

struct CommandConfig {
  std::chrono::seconds default_ttl{24 * 3600};  // a command not answered by then expires
  std::chrono::hours retention{7 * 24};         // final commands are kept this long
  std::string origin;                           // this replica's name: kCommandChannel's payload
};

class CommandService {
 public:
  CommandService(common::sql::Database& db, const common::Clock& clock, UidSource make_uid,
                 CommandConfig config = {})
      : db_(db), clock_(clock), make_uid_(std::move(make_uid)), config_(config) {}

  // Stores a Pending command for `satellite`. `state_digest` is the satellite's current
  // desired state (what a sync command must reach; ignored for other types). kNotFound for
  // an unknown satellite.
  [[nodiscard]] common::Result<model::SatelliteCommand> issue(std::string_view satellite,
                                                              const model::CommandRequest& request,
                                                              std::string_view state_digest,
                                                              const Actor& actor);

  // One satellite's due sync: the desired state it must reach.
  struct SyncDue {
    std::string satellite;
    std::string state_digest;
  };
  // Runs inside issue_syncs' transaction with the commands it is about to store, and
  // returns the satellites whose command to store: the caller's claim on each change (a
  // guarded write committed with the commands or not at all), so that two replicas issuing
  // the same round command each change once.
  using Claim = std::function<common::Result<std::set<std::string, std::less<>>>(
      common::sql::Connection&, std::span<const model::SatelliteCommand>)>;
  struct IssuedSyncs {
    std::size_t issued = 0;
    // Older syncs the new ones superseded that were Sent (their messages are to delete).
    std::vector<model::SatelliteCommand> superseded;
  };
  // A sync.state command for each of `due`, all in one transaction of a few statements
  // whatever its size (one commit and a handful of round trips for a batch, not seven per
  // satellite): those `claim` keeps stored Pending with their events, then the older
  // unanswered syncs of those satellites become Expired, superseded (their state can no
  // longer be reached). A satellite that is gone by now is skipped.
  [[nodiscard]] common::Result<IssuedSyncs> issue_syncs(std::span<const SyncDue> due,
                                                        const Actor& actor, const Claim& claim);

  // The satellite's newest `limit` commands, newest first. kNotFound for an unknown
  // satellite.
  [[nodiscard]] common::Result<std::vector<model::SatelliteCommand>> list(
      std::string_view satellite, std::size_t limit = 100) const;
  // kNotFound for an unknown satellite or id.
  [[nodiscard]] common::Result<model::SatelliteCommand> get(std::string_view satellite,
                                                            std::string_view id) const;

  // The dispatcher's side: Pending commands not yet expired and issued at least `min_age`
  // ago (whole seconds, as stored), oldest first; and Pending → Sent once JetStream has
  // stored one (false: someone else moved it first).
  [[nodiscard]] common::Result<std::vector<model::SatelliteCommand>> pending(
      std::size_t limit, std::chrono::seconds min_age = {}) const;
  const std::string& origin() const noexcept { return config_.origin; }
  [[nodiscard]] common::Result<bool> mark_sent(std::string_view id, std::int64_t stream_sequence);
  // mark_sent for each (id, stream sequence) in one transaction; how many moved.
  using Sent = store::CommandStore::Sent;
  [[nodiscard]] common::Result<std::size_t> mark_sent_all(std::span<const Sent> sent);

  // A satellite's answer, as read from `<satellite>.event.command.acknowledged`. The caller
  // has checked that the subject names answer.satellite. False when the command is unknown
  // for that satellite or already final (a redelivered or late answer): nothing changes.
  [[nodiscard]] common::Result<bool> record_answer(const common::fleet_wire::CommandAnswer& answer);
  // record_answer for each, in one transaction (a fetched batch of answers is one commit);
  // how many settled a command. kInvalidArgument for an unknown outcome, before any write.
  [[nodiscard]] common::Result<std::size_t> record_answers(
      std::span<const common::fleet_wire::CommandAnswer> answers);

  // Housekeeping: every unanswered command past its expiresAt becomes Expired (returned
  // when it was Sent, so that its JetStream message can be deleted), and final commands
  // older than the retention are forgotten.
  [[nodiscard]] common::Result<std::vector<model::SatelliteCommand>> expire_due();

 private:
  std::string now() const;
  // A new command of `type` for `satellite`, issued now (its id sorts by issue time).
  model::SatelliteCommand make_command(std::string_view satellite,
                                       const model::CommandRequest& request,
                                       std::string_view state_digest, const Actor& actor) const;
  // Stores `command` Pending with its event and wakes the dispatchers, in `db`'s transaction.
  common::Status store_issued(common::sql::Connection& db,
                              const model::SatelliteCommand& command) const;
  // kNotFound unless the satellite exists.
  common::Status require_satellite(common::sql::Connection& db, std::string_view satellite) const;

  common::sql::Database& db_;
  const common::Clock& clock_;
  UidSource make_uid_;
  const CommandConfig config_;
  store::CommandStore commands_;
  store::ResourceStore resources_;
  store::EventStore events_;
};

}  // namespace groundcontrol::service
