// StatusRollup: the periodic job (one replica at a time, under a lease) that turns a change
// of a satellite's connectivity or sync state into a status change of its Satellite
// resource: a new resourceVersion and a change-log entry, so a watcher (the UI, `get -w`)
// sees a satellite go stale or fail without one event per heartbeat (ADR 0006 §2). What
// each satellite last showed is kept in `satellite_rollup`, so a run reads three narrow
// tables and writes only what moved, in transactions of kBatch satellites.
// Thread-safety: run() calls must not overlap (the job runner serialises them).
#pragma once

#include <cstddef>

#include "common/clock.hpp"
#include "common/result.hpp"
#include "common/sql/database.hpp"
#include "groundcontrol/service/fleet_health.hpp"
#include "groundcontrol/store/resource_store.hpp"
#include "groundcontrol/store/rollup_store.hpp"

namespace groundcontrol::service {

class StatusRollup {
 public:
  static constexpr std::size_t kBatch = 500;

  StatusRollup(common::sql::Database& db, const FleetHealth& health, const common::Clock& clock)
      : db_(db), health_(health), clock_(clock) {}

  // Writes the status of every satellite whose connectivity or sync state moved since the
  // last run; returns how many did.
  [[nodiscard]] common::Result<std::size_t> run();

 private:
  common::sql::Database& db_;
  const FleetHealth& health_;
  const common::Clock& clock_;
  store::ResourceStore resources_;
  store::RollupStore rollups_;
};

}  // namespace groundcontrol::service
