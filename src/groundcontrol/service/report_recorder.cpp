#include "groundcontrol/service/report_recorder.hpp"

namespace groundcontrol::service {

void ReportRecorder::record(store::Heartbeat heartbeat) {
  std::lock_guard lock(mutex_);
  heartbeats_.put(std::move(heartbeat));
}

void ReportRecorder::record(store::StoredReport report) {
  std::lock_guard lock(mutex_);
  reports_.put(std::move(report));
}

common::Status ReportRecorder::flush() {
  std::lock_guard flushing(flush_mutex_);
  std::vector<store::Heartbeat> beats;
  std::vector<store::StoredReport> reports;
  {
    std::lock_guard lock(mutex_);
    beats = heartbeats_.take();
    reports = reports_.take();
  }
  if (beats.empty() && reports.empty()) return {};
  auto done = db_.transact(
      [&](common::sql::Connection& db) -> common::Status {
        if (auto ok = heartbeat_store_.upsert(db, beats); !ok) return ok;
        return report_store_.upsert(db, reports);
      },
      {.unqueued = true});  // heartbeats and reports never bump the revision
  if (!done) {
    std::lock_guard lock(mutex_);
    heartbeats_.give_back(beats);
    reports_.give_back(reports);
  }
  return done;
}

std::size_t ReportRecorder::waiting() const {
  std::lock_guard lock(mutex_);
  return heartbeats_.by_satellite.size() + reports_.by_satellite.size();
}

}  // namespace groundcontrol::service
