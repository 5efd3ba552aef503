#include "common/fleet_wire/command.hpp"

#include <array>
#include <nlohmann/json.hpp>
#include <utility>

#include "common/fleet_wire/field_reader.hpp"

namespace common::fleet_wire {
namespace {

using nlohmann::json;

constexpr std::size_t kMaxText = 256;
constexpr std::size_t kMaxReason = 1024;

constexpr std::array kCommandTypes = {
    std::pair{CommandType::kSyncState, std::string_view("sync.state")},
    std::pair{CommandType::kReportStatus, std::string_view("report.status")},
    std::pair{CommandType::kRefreshCredentials, std::string_view("refresh.credentials")},
    std::pair{CommandType::kCollectGarbage, std::string_view("collect.garbage")},
    std::pair{CommandType::kRewriteRuntimes, std::string_view("rewrite.runtimes")},
};

constexpr std::array kEventTypes = {
    std::pair{EventType::kCommandAnswered, std::string_view("command.acknowledged")},
    std::pair{EventType::kSyncStarted, std::string_view("sync.started")},
    std::pair{EventType::kSyncCompleted, std::string_view("sync.completed")},
    std::pair{EventType::kSyncFailed, std::string_view("sync.failed")},
    std::pair{EventType::kDiskLow, std::string_view("disk.low")},
    std::pair{EventType::kCertificateExpiring, std::string_view("certificate.expiring")},
};

constexpr std::array kOutcomes = {
    std::pair{CommandOutcome::kDone, std::string_view("done")},
    std::pair{CommandOutcome::kFailed, std::string_view("failed")},
    std::pair{CommandOutcome::kExpired, std::string_view("expired")},
};

template <class Table, class Enum>
std::string_view name_of(const Table& table, Enum value) {
  for (const auto& [e, name] : table)
    if (e == value) return name;
  return "unknown";
}

template <class Table>
auto value_of(const Table& table, std::string_view name)
    -> std::optional<typename Table::value_type::first_type> {
  for (const auto& [e, n] : table)
    if (n == name) return e;
  return std::nullopt;
}

// Reads each (key, field) of `fields` as text into its field.
Status read_texts(const FieldReader& in,
                  std::initializer_list<std::tuple<const char*, std::string*, bool>> fields,
                  std::size_t max_size = kMaxText) {
  for (auto [key, out, required] : fields) {
    auto value = in.text(key, required, max_size);
    if (!value) return fail(value.error());
    *out = std::move(*value);
  }
  return {};
}

}  // namespace

std::string_view command_type_name(CommandType type) {
  return name_of(kCommandTypes, type);
}
std::optional<CommandType> parse_command_type(std::string_view name) {
  return value_of(kCommandTypes, name);
}
std::string_view event_type_name(EventType type) {
  return name_of(kEventTypes, type);
}
std::optional<EventType> parse_event_type(std::string_view name) {
  return value_of(kEventTypes, name);
}
std::string_view outcome_name(CommandOutcome outcome) {
  return name_of(kOutcomes, outcome);
}

std::string to_json(const Command& c) {
  json document{{"id", c.id},
                {"type", command_type_name(c.type)},
                {"satellite", c.satellite},
                {"issuedAt", c.issued_at},
                {"expiresAt", c.expires_at}};
  if (!c.state_digest.empty()) document["stateDigest"] = c.state_digest;
  return document.dump();
}

Result<Command> parse_command(std::string_view text) {
  auto document = parse_wire_object(text, "command");
  if (!document) return fail(document.error());
  const FieldReader in(*document, "");
  Command c;
  std::string type;
  auto read = read_texts(in, {{"id", &c.id, true},
                              {"type", &type, true},
                              {"satellite", &c.satellite, true},
                              {"issuedAt", &c.issued_at, false},
                              {"expiresAt", &c.expires_at, false},
                              {"stateDigest", &c.state_digest, false}});
  if (!read) return fail(read.error());
  const auto parsed = parse_command_type(type);
  if (!parsed) return fail(ErrorCode::kInvalidArgument, "type: unknown command \"" + type + "\"");
  c.type = *parsed;
  return c;
}

std::string to_json(const CommandAnswer& a) {
  json document{{"commandId", a.command_id},
                {"satellite", a.satellite},
                {"outcome", outcome_name(a.outcome)},
                {"time", a.time}};
  if (!a.reason.empty()) document["reason"] = a.reason;
  return document.dump();
}

Result<CommandAnswer> parse_command_answer(std::string_view text) {
  auto document = parse_wire_object(text, "command answer");
  if (!document) return fail(document.error());
  const FieldReader in(*document, "");
  CommandAnswer a;
  std::string outcome;
  auto read = read_texts(in, {{"commandId", &a.command_id, true},
                              {"satellite", &a.satellite, true},
                              {"outcome", &outcome, true},
                              {"time", &a.time, false}});
  if (!read) return fail(read.error());
  auto reason = read_texts(in, {{"reason", &a.reason, false}}, kMaxReason);
  if (!reason) return fail(reason.error());
  const auto parsed = value_of(kOutcomes, outcome);
  if (!parsed)
    return fail(ErrorCode::kInvalidArgument, "outcome: unknown outcome \"" + outcome + "\"");
  a.outcome = *parsed;
  return a;
}

std::string to_json(const SatelliteEvent& e) {
  json document{{"satellite", e.satellite},
                {"type", event_type_name(e.type)},
                {"time", e.time},
                {"message", e.message}};
  if (!e.state_digest.empty()) document["stateDigest"] = e.state_digest;
  return document.dump();
}

Result<SatelliteEvent> parse_satellite_event(std::string_view text) {
  auto document = parse_wire_object(text, "event");
  if (!document) return fail(document.error());
  const FieldReader in(*document, "");
  SatelliteEvent e;
  std::string type;
  auto read = read_texts(in, {{"satellite", &e.satellite, true},
                              {"type", &type, true},
                              {"time", &e.time, false},
                              {"stateDigest", &e.state_digest, false}});
  if (!read) return fail(read.error());
  auto message = read_texts(in, {{"message", &e.message, false}}, kMaxReason);
  if (!message) return fail(message.error());
  const auto parsed = parse_event_type(type);
  if (!parsed || *parsed == EventType::kCommandAnswered)
    return fail(ErrorCode::kInvalidArgument, "type: unknown event \"" + type + "\"");
  e.type = *parsed;
  return e;
}

}  // namespace common::fleet_wire
