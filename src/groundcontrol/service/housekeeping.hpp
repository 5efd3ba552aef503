// Housekeeping: the periodic clean-up job (one replica at a time, under its lease): drops
// expired enrollment tokens and login sessions, and the change log older than the watch
// window (a watch from before it gets 410 Gone and re-lists, as Kubernetes' does). The
// audit trail (events) is kept.
// Thread-safety: run() calls must not overlap (the job runner serialises them).
#pragma once

#include <chrono>
#include <cstdint>

#include "common/clock.hpp"
#include "common/result.hpp"
#include "common/sql/database.hpp"
#include "groundcontrol/store/enrollment_store.hpp"
#include "groundcontrol/store/resource_store.hpp"
#include "groundcontrol/store/user_store.hpp"

namespace groundcontrol::service {

struct HousekeepingReport {
  std::int64_t tokens = 0;
  std::int64_t sessions = 0;
  std::int64_t changes = 0;
};

class Housekeeping {
 public:
  Housekeeping(common::sql::Database& db, const common::Clock& clock,
               std::chrono::seconds change_retention)
      : db_(db), clock_(clock), change_retention_(change_retention) {}

  [[nodiscard]] common::Result<HousekeepingReport> run();

 private:
  common::sql::Database& db_;
  const common::Clock& clock_;
  std::chrono::seconds change_retention_;
  store::EnrollmentStore enrollment_;
  store::UserStore users_;
  store::ResourceStore resources_;
};

}  // namespace groundcontrol::service
