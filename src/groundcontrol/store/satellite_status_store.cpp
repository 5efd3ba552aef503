#include "groundcontrol/store/satellite_status_store.hpp"

namespace groundcontrol::store {

using common::fail;
using common::sql::Connection;

common::Status SatelliteStatusStore::upsert(Connection& db,
                                            std::span<const Heartbeat> heartbeats) const {
  for (const auto& h : heartbeats) {
    auto done = db.exec(
        "INSERT INTO satellite_status (satellite, heartbeat_at, reported_time, clock_offset_ms, "
        "version, uptime_seconds, disk_used_bytes, disk_free_bytes, bytes_transferred, "
        "applied_state_digest) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) "
        "ON CONFLICT (satellite) DO UPDATE SET heartbeat_at = excluded.heartbeat_at, "
        "reported_time = excluded.reported_time, clock_offset_ms = excluded.clock_offset_ms, "
        "version = excluded.version, uptime_seconds = excluded.uptime_seconds, "
        "disk_used_bytes = excluded.disk_used_bytes, disk_free_bytes = excluded.disk_free_bytes, "
        "bytes_transferred = excluded.bytes_transferred, "
        "applied_state_digest = excluded.applied_state_digest",
        {h.satellite, h.heartbeat_at, h.reported_time, h.clock_offset_ms, h.version,
         h.uptime_seconds, h.disk_used_bytes, h.disk_free_bytes, h.bytes_transferred,
         h.applied_state_digest});
    if (!done) return fail(done.error());
  }
  return {};
}

common::Result<std::optional<Heartbeat>> SatelliteStatusStore::get(
    Connection& db, std::string_view satellite) const {
  auto row = db.query_one(
      "SELECT satellite, heartbeat_at, reported_time, clock_offset_ms, version, uptime_seconds, "
      "disk_used_bytes, disk_free_bytes, bytes_transferred, applied_state_digest "
      "FROM satellite_status WHERE satellite = $1",
      {satellite});
  if (!row) return fail(row.error());
  if (!*row) return std::optional<Heartbeat>();
  const auto& r = **row;
  return Heartbeat{r.text(0),  r.text(1),  r.text(2),  r.int64(3), r.text(4),
                   r.int64(5), r.int64(6), r.int64(7), r.int64(8), r.text(9)};
}

common::Status SatelliteStatusStore::remove(Connection& db, std::string_view satellite) const {
  auto done = db.exec("DELETE FROM satellite_status WHERE satellite = $1", {satellite});
  if (!done) return fail(done.error());
  return {};
}

common::Result<std::vector<BeatRow>> SatelliteStatusStore::scan(Connection& db) const {
  auto rows =
      db.query("SELECT satellite, heartbeat_at, applied_state_digest FROM satellite_status");
  if (!rows) return fail(rows.error());
  std::vector<BeatRow> out;
  out.reserve(rows->size());
  for (const auto& r : *rows) out.push_back({r.text(0), r.text(1), r.text(2)});
  return out;
}

}  // namespace groundcontrol::store
