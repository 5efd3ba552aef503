// SatelliteReportStore: the SQL of `satellite_reports`, each satellite's latest status
// report (per-artifact progress), with its counts by phase kept in columns so that the
// fleet summary and the roll-up read 100,000 satellites without parsing a document each.
// Written in batches like heartbeats. Stateless; calls run in the caller's transaction.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/fleet_wire/status_report.hpp"
#include "common/result.hpp"
#include "common/sql/connection.hpp"
#include "groundcontrol/model/satellite_health.hpp"

namespace groundcontrol::store {

struct StoredReport {
  std::string satellite;
  std::string reported_at;  // server time it arrived, RFC 3339
  common::fleet_wire::StatusReport report;
};

// One satellite's counts, as scan() reads them.
struct ReportedProgressRow {
  std::string satellite;
  model::ReportedProgress progress;
};

class SatelliteReportStore {
 public:
  [[nodiscard]] common::Status upsert(common::sql::Connection& db,
                                      std::span<const StoredReport> reports) const;
  [[nodiscard]] common::Result<std::optional<StoredReport>> get(common::sql::Connection& db,
                                                                std::string_view satellite) const;
  [[nodiscard]] common::Status remove(common::sql::Connection& db,
                                      std::string_view satellite) const;
  // Every satellite's counts (no documents), in no particular order.
  [[nodiscard]] common::Result<std::vector<ReportedProgressRow>> scan(
      common::sql::Connection& db) const;
};

}  // namespace groundcontrol::store
