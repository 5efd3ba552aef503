// Heartbeat: what a satellite says of itself every heartbeat interval
// (`POST /satellite/v1/heartbeat`): its version, uptime, disk, bytes transferred, the state
// digest it has applied and its own clock (so ground control can show skew). A wire type
// shared by ground control and the satellite; a reader ignores fields it does not know.
#pragma once

#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>

#include "common/result.hpp"

namespace common::fleet_wire {

struct Heartbeat {
  std::string version;  // the satellite's build, e.g. "0.4.1"
  std::int64_t uptime_seconds = 0;
  std::int64_t disk_used_bytes = 0;  // of its registry's storage
  std::int64_t disk_free_bytes = 0;
  std::int64_t bytes_transferred = 0;  // pulled from upstream since start
  std::string state_digest;            // the desired state it has fully applied ("" none yet)
  std::string time;                    // its clock, RFC 3339 ("" unknown)
};

// What ground control answers: the digest it wants applied, whether that is the one
// reported, and when to beat next (jittered).
struct HeartbeatAnswer {
  std::string state_digest;
  bool in_sync = false;
  std::int64_t next_heartbeat_seconds = 0;
};

[[nodiscard]] std::string to_json(const Heartbeat& heartbeat);
// kInvalidArgument naming the field: a mistyped one, a negative count, text over 256 bytes.
[[nodiscard]] Result<Heartbeat> parse_heartbeat(std::string_view json);
// The same, of a document already parsed (a handler\'s body).
[[nodiscard]] Result<Heartbeat> read_heartbeat(const nlohmann::json& document);

[[nodiscard]] std::string to_json(const HeartbeatAnswer& answer);
[[nodiscard]] Result<HeartbeatAnswer> parse_heartbeat_answer(std::string_view json);

}  // namespace common::fleet_wire
