// FleetSync: keeps this replica's FleetView equal to the database (ADR 0006). load() reads
// every group, satellite, config and Harbor set; catch_up() applies the changes committed
// since the last one applied, reading each changed group's Harbor set with it. It runs
// after this replica's own writes (so a state poll here sees them at once), when another
// replica's commit is announced on the change channel, after a reconnect, and
// periodically. A gap in the change log (pruned while this replica was behind) reloads.
// Thread-safety: every call from any thread; catch_up() and load() serialise on a mutex.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

#include "common/http/wakeup.hpp"

#include "common/log/logger.hpp"
#include "common/result.hpp"
#include "common/sql/database.hpp"
#include "groundcontrol/service/fleet_view.hpp"
#include "groundcontrol/store/artifact_set_store.hpp"
#include "groundcontrol/store/resource_store.hpp"

namespace groundcontrol::service {

// The channel every write announces its revision on.
inline constexpr std::string_view kChangeChannel = "groundcontrol_changes";

class FleetSync {
 public:
  FleetSync(common::sql::Database& db, FleetView& view, common::log::Logger logger)
      : db_(db), view_(view), logger_(std::move(logger)) {}

  // Replaces the view's contents with the database's; the database's error otherwise.
  [[nodiscard]] common::Status load();
  // Applies every change after the last applied one; the database's error otherwise (the
  // view then stays as it was, and the next call retries).
  [[nodiscard]] common::Status catch_up();
  // Subscribes to kChangeChannel so other replicas' commits are applied within moments.
  [[nodiscard]] common::Result<common::sql::Subscription> follow();
  std::int64_t applied_revision() const;
  // Fires `wakeup` the next time the applied revision advances (once; a watch registers
  // before it reads, so a change in between still wakes it).
  void notify_on_advance(std::shared_ptr<common::http::Wakeup> wakeup);
  const FleetView& view() const noexcept { return view_; }

 private:
  // load() and catch_up() with mutex_ held.
  common::Status load_locked();
  common::Status catch_up_locked();
  // Fires and forgets the advance waiters, after mutex_ is released.
  void wake_advance_waiters();
  // Brings the view up to `object`; a group's `sourced` artifacts (its Harbor set and what
  // its rules selected) join those its spec lists.
  void apply(const store::Resource& object, bool deleted,
             const std::vector<model::Artifact>* sourced);

  common::sql::Database& db_;
  FleetView& view_;
  common::log::Logger logger_;
  store::ResourceStore resources_;
  store::ArtifactSetStore harbor_{store::ArtifactSource::kHarbor};
  store::ArtifactSetStore rules_{store::ArtifactSource::kRules};
  mutable std::mutex mutex_;  // serialises load/catch_up; guards applied_
  std::int64_t applied_ = 0;
  std::mutex waiters_mutex_;  // guards advance_waiters_
  std::vector<std::weak_ptr<common::http::Wakeup>> advance_waiters_;
};

// The summary of a config's spec that its satellites' states carry: its digest (the
// SHA-256 of the canonical spec) and the upstream URL.
model::ConfigSummary summarize_config(const store::Resource& config);

}  // namespace groundcontrol::service
