// HeartbeatRecorder: takes satellites' heartbeats as they arrive and writes the latest of
// each to the database in one transaction per flush (ADR 0006 §2), so 10,000 heartbeats a
// second cost a commit a second, not 10,000. A heartbeat newer than one waiting replaces it;
// a flush that fails keeps what it could not write for the next one (unless newer came).
// Memory is bounded by the number of satellites. In-memory per replica: a crash loses at
// most one flush interval of heartbeats, which the next ones replace.
// Thread-safety: every call from any thread; flush() calls serialise.
#pragma once

#include <mutex>
#include <string>
#include <unordered_map>

#include "common/result.hpp"
#include "common/sql/database.hpp"
#include "groundcontrol/store/satellite_status_store.hpp"

namespace groundcontrol::service {

class HeartbeatRecorder {
 public:
  explicit HeartbeatRecorder(common::sql::Database& db) : db_(db) {}

  void record(store::Heartbeat heartbeat);
  // Writes every waiting heartbeat; the database's error otherwise (they stay waiting).
  [[nodiscard]] common::Status flush();
  std::size_t waiting() const;

 private:
  common::sql::Database& db_;
  store::SatelliteStatusStore store_;
  mutable std::mutex mutex_;  // guards waiting_
  std::unordered_map<std::string, store::Heartbeat> waiting_;
  std::mutex flush_mutex_;  // one flush at a time
};

}  // namespace groundcontrol::service
