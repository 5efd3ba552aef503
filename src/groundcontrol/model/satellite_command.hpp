// SatelliteCommand: one command ground control sends a satellite over NATS and what became
// of it (docs/adr/0008-nats-command-channel.md). The lifecycle is
//   Pending (stored, not yet in JetStream) → Sent (JetStream holds it) →
//   Done | Failed (the satellite's answer) | Expired (no answer before expiresAt).
// Done, Failed and Expired are final: a late or repeated answer changes nothing. This file
// holds the record, its API document and the request an operator posts; the rules live in
// service::CommandService. Pure functions, plain value types.
#pragma once

#include <chrono>
#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>

#include "common/fleet_wire/command.hpp"
#include "common/result.hpp"

namespace groundcontrol::model {

enum class CommandPhase { kPending, kSent, kDone, kFailed, kExpired };

// The lifetimes a command may have (a request's ttlSeconds, --command-ttl); NATS's commands
// stream keeps messages a day longer, so ground control always expires a command first.
inline constexpr std::chrono::seconds kMinCommandTtl{10};
inline constexpr std::chrono::seconds kMaxCommandTtl{30 * 24 * 3600};

[[nodiscard]] std::string_view command_phase_name(CommandPhase phase);  // "Pending", …
// kCorruption for a name no version of this program wrote.
[[nodiscard]] common::Result<CommandPhase> parse_command_phase(std::string_view name);
[[nodiscard]] bool is_final(CommandPhase phase);

struct SatelliteCommand {
  std::string id;
  std::string satellite;
  common::fleet_wire::CommandType type = common::fleet_wire::CommandType::kSyncState;
  std::string state_digest;  // kSyncState: the state to reach
  std::string actor;         // "user:admin", "ground-control" (a state change)
  std::string created_at;    // RFC 3339
  std::string expires_at;
  CommandPhase phase = CommandPhase::kPending;
  std::string sent_at;               // "" until Sent
  std::int64_t stream_sequence = 0;  // JetStream's, once Sent
  std::string answered_at;           // "" until final
  std::string reason;                // Failed / Expired: why
};

// What travels to the satellite.
[[nodiscard]] common::fleet_wire::Command to_wire(const SatelliteCommand& command);

// The API document: {"id","satellite","type","stateDigest"?,"actor","createdAt","expiresAt",
// "phase","sentAt"?,"answeredAt"?,"reason"?}.
nlohmann::json to_json(const SatelliteCommand& command);

// What an operator posts: {"type": "report.status", "ttlSeconds"?: N}. Unknown fields are
// refused; kInvalidArgument naming the field for an unknown type or a ttl outside
// 10 s … 30 days. A sync command takes no digest from the caller: it always names the
// satellite's current desired state.
struct CommandRequest {
  common::fleet_wire::CommandType type = common::fleet_wire::CommandType::kSyncState;
  std::chrono::seconds ttl{0};  // 0: the server's default
};
[[nodiscard]] common::Result<CommandRequest> parse_command_request(const nlohmann::json& body);

}  // namespace groundcontrol::model
