#include "groundcontrol/service/housekeeping.hpp"

#include "common/time_format.hpp"

namespace groundcontrol::service {

common::Result<HousekeepingReport> Housekeeping::run() {
  const auto now = clock_.now();
  const auto now_text = common::format_rfc3339(now);
  HousekeepingReport report;
  auto done = db_.transact([&](common::sql::Connection& db) -> common::Status {
    auto tokens = enrollment_.remove_expired_tokens(db, now_text);
    if (!tokens) return common::fail(tokens.error());
    auto sessions = users_.remove_expired_sessions(db, now_text);
    if (!sessions) return common::fail(sessions.error());
    auto changes = resources_.prune_changes(db, common::format_rfc3339(now - change_retention_));
    if (!changes) return common::fail(changes.error());
    report = {*tokens, *sessions, *changes};
    return {};
  });
  if (!done) return common::fail(done.error());
  return report;
}

}  // namespace groundcontrol::service
