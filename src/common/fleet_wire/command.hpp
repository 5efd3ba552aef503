// Commands ground control sends a satellite over NATS, the satellite's answers, and the
// events it reports (docs/adr/0008-nats-command-channel.md). Wire types shared by both sides:
// JSON with camelCase keys; a reader ignores fields it does not know, so either side may be
// the newer one. Parsing refuses what it cannot act on (an unknown command type, an answer
// without a command id) with kInvalidArgument naming the field.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/result.hpp"

namespace common::fleet_wire {

enum class CommandType {
  kSyncState,           // fetch and apply the desired state now
  kReportStatus,        // send a status report now
  kRefreshCredentials,  // fetch config and registry credentials again
  kCollectGarbage,      // collect unreferenced blobs now
  kRewriteRuntimes,     // rewrite the container runtimes' mirror configuration
};

// "sync.state", "report.status", … : the <method>.<domain> tail of the command's subject.
[[nodiscard]] std::string_view command_type_name(CommandType type);
[[nodiscard]] std::optional<CommandType> parse_command_type(std::string_view name);

struct Command {
  std::string id;  // unique; the satellite applies a command id once
  CommandType type = CommandType::kSyncState;
  std::string satellite;     // the satellite it is for
  std::string issued_at;     // RFC 3339
  std::string expires_at;    // RFC 3339: later than this the satellite answers "expired"
  std::string state_digest;  // kSyncState: the desired state to reach ("" the current one)
};

[[nodiscard]] std::string to_json(const Command& command);
[[nodiscard]] Result<Command> parse_command(std::string_view json);

enum class CommandOutcome { kDone, kFailed, kExpired };
[[nodiscard]] std::string_view outcome_name(CommandOutcome outcome);  // "done", "failed", …

// A satellite's answer to one command.
struct CommandAnswer {
  std::string command_id;
  std::string satellite;
  CommandOutcome outcome = CommandOutcome::kDone;
  std::string reason;  // why it failed or expired ("" when done)
  std::string time;    // the satellite's clock, RFC 3339
};

[[nodiscard]] std::string to_json(const CommandAnswer& answer);
[[nodiscard]] Result<CommandAnswer> parse_command_answer(std::string_view json);

enum class EventType {
  kCommandAnswered,      // "command.acknowledged": the payload is a CommandAnswer
  kSyncStarted,          // "sync.started"
  kSyncCompleted,        // "sync.completed"
  kSyncFailed,           // "sync.failed"
  kDiskLow,              // "disk.low"
  kCertificateExpiring,  // "certificate.expiring"
};

[[nodiscard]] std::string_view event_type_name(EventType type);
[[nodiscard]] std::optional<EventType> parse_event_type(std::string_view name);

// Any event but an answer: what happened, in a line, with the state it concerns.
struct SatelliteEvent {
  std::string satellite;
  EventType type = EventType::kSyncCompleted;
  std::string time;          // the satellite's clock, RFC 3339
  std::string message;       // one line for people ("3 artifacts pulled, 1 failed")
  std::string state_digest;  // the desired state it concerns ("" none)
};

[[nodiscard]] std::string to_json(const SatelliteEvent& event);
[[nodiscard]] Result<SatelliteEvent> parse_satellite_event(std::string_view json);

}  // namespace common::fleet_wire
