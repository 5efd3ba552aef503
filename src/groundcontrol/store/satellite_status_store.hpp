// SatelliteStatusStore: the SQL of `satellite_status`, each satellite's latest heartbeat.
// Written in batches, one upsert per satellite in one transaction, so a flood of
// heartbeats costs one commit per flush. Stateless; calls run in the caller's transaction.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "common/sql/connection.hpp"

namespace groundcontrol::store {

struct Heartbeat {
  std::string satellite;
  std::string heartbeat_at;          // server time it arrived, RFC 3339
  std::string reported_time;         // the satellite's clock, as it said
  std::int64_t clock_offset_ms = 0;  // satellite clock − server clock
  std::string version;
  std::int64_t uptime_seconds = 0;
  std::int64_t disk_used_bytes = 0;
  std::int64_t disk_free_bytes = 0;
  std::int64_t bytes_transferred = 0;
  std::string applied_state_digest;
};

// What the fleet summary and the roll-up need of a heartbeat.
struct BeatRow {
  std::string satellite;
  std::string heartbeat_at;
  std::string applied_state_digest;
};

class SatelliteStatusStore {
 public:
  [[nodiscard]] common::Status upsert(common::sql::Connection& db,
                                      std::span<const Heartbeat> heartbeats) const;
  [[nodiscard]] common::Result<std::optional<Heartbeat>> get(common::sql::Connection& db,
                                                             std::string_view satellite) const;
  [[nodiscard]] common::Status remove(common::sql::Connection& db,
                                      std::string_view satellite) const;
  // Every satellite's last heartbeat time and applied digest, in no particular order.
  [[nodiscard]] common::Result<std::vector<BeatRow>> scan(common::sql::Connection& db) const;
};

}  // namespace groundcontrol::store
