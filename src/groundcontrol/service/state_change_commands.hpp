// StateChangeCommands: "sync now" when a satellite's desired state changes (issue 15). For
// each satellite that listens on NATS (it took credentials), a sync.state command naming
// its new desired state, once per change: the last state commanded is kept per satellite
// and claimed with a guarded write in the transaction that stores the command (a round's
// commands are stored a few hundred per transaction, in a handful of statements), so a
// change is commanded exactly once, also when a lease changes hands mid-round. It runs on
// one replica at a time (the lease), not on all: each replica's view moves forward on its
// own, and one that lags would command an older state over the newer one another replica
// commanded. Run often (a change should reach the fleet in well under a second): a round that finds
// the view's state-change count where the last good round left it reads nothing, since no state
// changed and every satellite that took credentials since counts its state then as commanded.
// Blocking (database). Thread-safety: one caller at a time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "common/result.hpp"
#include "common/sql/database.hpp"
#include "groundcontrol/service/command_service.hpp"
#include "groundcontrol/service/fleet_view.hpp"
#include "groundcontrol/store/nats_user_store.hpp"

namespace groundcontrol::service {

class StateChangeCommands {
 public:
  StateChangeCommands(common::sql::Database& db, const FleetView& view, CommandService& commands)
      : db_(db), view_(view), commands_(commands) {}

  struct Round {
    std::size_t issued = 0;
    // Older sync commands the new ones superseded that JetStream still holds (to delete).
    std::vector<model::SatelliteCommand> superseded;
  };
  // Issues the sync commands due; an older unanswered sync of the same satellite is
  // superseded (Expired), since a state a newer one replaced can never be reached. An
  // empty round without a database read when no state changed since the last good round.
  [[nodiscard]] common::Result<Round> run();

 private:
  common::sql::Database& db_;
  const FleetView& view_;
  CommandService& commands_;
  store::NatsUserStore users_;
  // view_.state_changes() when the last round that issued all it found due began.
  std::optional<std::uint64_t> settled_;
};

}  // namespace groundcontrol::service
