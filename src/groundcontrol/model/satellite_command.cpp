#include "groundcontrol/model/satellite_command.hpp"

#include <array>
#include <nlohmann/json.hpp>
#include <utility>

namespace groundcontrol::model {
namespace {

using common::ErrorCode;
using common::fail;
using nlohmann::json;

constexpr std::array kPhases = {
    std::pair{CommandPhase::kPending, std::string_view("Pending")},
    std::pair{CommandPhase::kSent, std::string_view("Sent")},
    std::pair{CommandPhase::kDone, std::string_view("Done")},
    std::pair{CommandPhase::kFailed, std::string_view("Failed")},
    std::pair{CommandPhase::kExpired, std::string_view("Expired")},
};

}  // namespace

std::string_view command_phase_name(CommandPhase phase) {
  for (const auto& [p, name] : kPhases)
    if (p == phase) return name;
  return "Unknown";
}

common::Result<CommandPhase> parse_command_phase(std::string_view name) {
  for (const auto& [p, n] : kPhases)
    if (n == name) return p;
  return fail(ErrorCode::kCorruption,
              "satellite_commands: unknown phase \"" + std::string(name) + "\"");
}

bool is_final(CommandPhase phase) {
  return phase == CommandPhase::kDone || phase == CommandPhase::kFailed ||
         phase == CommandPhase::kExpired;
}

common::fleet_wire::Command to_wire(const SatelliteCommand& c) {
  return {c.id, c.type, c.satellite, c.created_at, c.expires_at, c.state_digest};
}

json to_json(const SatelliteCommand& c) {
  json document{{"id", c.id},
                {"satellite", c.satellite},
                {"type", common::fleet_wire::command_type_name(c.type)},
                {"actor", c.actor},
                {"createdAt", c.created_at},
                {"expiresAt", c.expires_at},
                {"phase", command_phase_name(c.phase)}};
  if (!c.state_digest.empty()) document["stateDigest"] = c.state_digest;
  if (!c.sent_at.empty()) document["sentAt"] = c.sent_at;
  if (!c.answered_at.empty()) document["answeredAt"] = c.answered_at;
  if (!c.reason.empty()) document["reason"] = c.reason;
  return document;
}

common::Result<CommandRequest> parse_command_request(const json& body) {
  if (!body.is_object()) return fail(ErrorCode::kInvalidArgument, "body: expected a JSON object");
  CommandRequest request;
  bool typed = false;
  for (const auto& [key, value] : body.items()) {
    if (key == "type") {
      const auto type = value.is_string()
                            ? common::fleet_wire::parse_command_type(value.get<std::string>())
                            : std::nullopt;
      if (!type)
        return fail(ErrorCode::kInvalidArgument,
                    "type: one of sync.state, report.status, refresh.credentials, "
                    "collect.garbage, rewrite.runtimes");
      request.type = *type;
      typed = true;
    } else if (key == "ttlSeconds") {
      if (!value.is_number_integer())
        return fail(ErrorCode::kInvalidArgument, "ttlSeconds: expected an integer");
      const std::chrono::seconds ttl{value.get<std::int64_t>()};
      if (ttl < kMinCommandTtl || ttl > kMaxCommandTtl)
        return fail(ErrorCode::kInvalidArgument, "ttlSeconds: must be 10 … 2592000 (30 days)");
      request.ttl = ttl;
    } else {
      return fail(ErrorCode::kInvalidArgument, key + ": unknown field");
    }
  }
  if (!typed) return fail(ErrorCode::kInvalidArgument, "type: required");
  return request;
}

}  // namespace groundcontrol::model
