// ReportRecorder: takes satellites' heartbeats and status reports as they arrive and writes
// the latest of each satellite to the database in one transaction per flush (ADR 0006 §2),
// so 10,000 heartbeats a second cost a commit a second, not 10,000. A record newer than one
// waiting replaces it; a flush that fails keeps what it could not write for the next one
// (unless newer came). Memory is bounded by the number of satellites. In-memory per
// replica: a crash loses at most one flush interval, which the next reports replace.
// Thread-safety: every call from any thread; flush() calls serialise.
#pragma once

#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/result.hpp"
#include "common/sql/database.hpp"
#include "groundcontrol/store/satellite_report_store.hpp"
#include "groundcontrol/store/satellite_status_store.hpp"

namespace groundcontrol::service {

class ReportRecorder {
 public:
  explicit ReportRecorder(common::sql::Database& db) : db_(db) {}

  void record(store::Heartbeat heartbeat);
  void record(store::StoredReport report);
  // Writes everything waiting; the database's error otherwise (it stays waiting).
  [[nodiscard]] common::Status flush();
  // Heartbeats and reports waiting to be written.
  std::size_t waiting() const;

 private:
  // The latest record of each satellite. REQUIRES: mutex_ held for every call.
  template <class Record>
  struct Latest {
    std::unordered_map<std::string, Record> by_satellite;

    void put(Record record) {
      auto name = record.satellite;
      by_satellite.insert_or_assign(std::move(name), std::move(record));
    }
    std::vector<Record> take() {
      std::vector<Record> out;
      out.reserve(by_satellite.size());
      for (auto& [name, record] : by_satellite) out.push_back(std::move(record));
      by_satellite.clear();
      return out;
    }
    // Puts back what a failed flush did not write, unless a newer record came meanwhile.
    void give_back(std::vector<Record>& records) {
      for (auto& record : records) {
        auto name = record.satellite;
        by_satellite.try_emplace(std::move(name), std::move(record));
      }
    }
  };

  common::sql::Database& db_;
  store::SatelliteStatusStore heartbeat_store_;
  store::SatelliteReportStore report_store_;
  mutable std::mutex mutex_;  // guards heartbeats_, reports_
  Latest<store::Heartbeat> heartbeats_;
  Latest<store::StoredReport> reports_;
  std::mutex flush_mutex_;  // one flush at a time
};

}  // namespace groundcontrol::service
