#include "groundcontrol/service/heartbeat_recorder.hpp"

#include <vector>

namespace groundcontrol::service {

void HeartbeatRecorder::record(store::Heartbeat heartbeat) {
  std::lock_guard lock(mutex_);
  auto name = heartbeat.satellite;
  waiting_.insert_or_assign(std::move(name), std::move(heartbeat));
}

common::Status HeartbeatRecorder::flush() {
  std::lock_guard flushing(flush_mutex_);
  std::vector<store::Heartbeat> batch;
  {
    std::lock_guard lock(mutex_);
    batch.reserve(waiting_.size());
    for (auto& [name, heartbeat] : waiting_) batch.push_back(std::move(heartbeat));
    waiting_.clear();
  }
  if (batch.empty()) return {};
  auto done = db_.transact([&](common::sql::Connection& db) { return store_.upsert(db, batch); });
  if (!done) {
    std::lock_guard lock(mutex_);
    for (auto& heartbeat : batch) {
      auto name = heartbeat.satellite;
      waiting_.try_emplace(std::move(name), std::move(heartbeat));  // a newer one wins
    }
  }
  return done;
}

std::size_t HeartbeatRecorder::waiting() const {
  std::lock_guard lock(mutex_);
  return waiting_.size();
}

}  // namespace groundcontrol::service
