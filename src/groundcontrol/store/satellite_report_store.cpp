#include "groundcontrol/store/satellite_report_store.hpp"

namespace groundcontrol::store {

using common::fail;
using common::sql::Connection;

common::Status SatelliteReportStore::upsert(Connection& db,
                                            std::span<const StoredReport> reports) const {
  for (const auto& r : reports) {
    const auto counts = common::fleet_wire::count_phases(r.report);
    auto done = db.exec(
        "INSERT INTO satellite_reports (satellite, reported_at, state_digest, present, pulling, "
        "failed, document) VALUES ($1, $2, $3, $4, $5, $6, $7) "
        "ON CONFLICT (satellite) DO UPDATE SET reported_at = excluded.reported_at, "
        "state_digest = excluded.state_digest, present = excluded.present, "
        "pulling = excluded.pulling, failed = excluded.failed, document = excluded.document",
        {r.satellite, r.reported_at, r.report.state_digest, counts.present, counts.pulling,
         counts.failed, common::fleet_wire::to_json(r.report)});
    if (!done) return fail(done.error());
  }
  return {};
}

common::Result<std::optional<StoredReport>> SatelliteReportStore::get(
    Connection& db, std::string_view satellite) const {
  auto row = db.query_one(
      "SELECT reported_at, document FROM satellite_reports WHERE satellite = $1", {satellite});
  if (!row) return fail(row.error());
  if (!*row) return std::optional<StoredReport>();
  auto report = common::fleet_wire::parse_status_report((*row)->text(1));
  if (!report)
    return fail(common::ErrorCode::kCorruption,
                "satellite_reports: " + std::string(satellite) + ": " + report.error().message());
  return StoredReport{std::string(satellite), (*row)->text(0), std::move(*report)};
}

common::Status SatelliteReportStore::remove(Connection& db, std::string_view satellite) const {
  auto done = db.exec("DELETE FROM satellite_reports WHERE satellite = $1", {satellite});
  if (!done) return fail(done.error());
  return {};
}

common::Result<std::vector<ReportedProgressRow>> SatelliteReportStore::scan(Connection& db) const {
  auto rows =
      db.query("SELECT satellite, state_digest, present, pulling, failed FROM satellite_reports");
  if (!rows) return fail(rows.error());
  std::vector<ReportedProgressRow> out;
  out.reserve(rows->size());
  for (const auto& r : *rows)
    out.push_back({r.text(0), {r.text(1), r.int64(2), r.int64(3), r.int64(4)}});
  return out;
}

}  // namespace groundcontrol::store
