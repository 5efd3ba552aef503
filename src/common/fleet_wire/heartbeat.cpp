#include "common/fleet_wire/heartbeat.hpp"

#include <nlohmann/json.hpp>

#include "common/fleet_wire/field_reader.hpp"

namespace common::fleet_wire {
namespace {

using nlohmann::json;

constexpr std::size_t kMaxText = 256;

}  // namespace

std::string to_json(const Heartbeat& h) {
  return json{{"version", h.version},
              {"uptimeSeconds", h.uptime_seconds},
              {"diskUsedBytes", h.disk_used_bytes},
              {"diskFreeBytes", h.disk_free_bytes},
              {"bytesTransferred", h.bytes_transferred},
              {"stateDigest", h.state_digest},
              {"time", h.time}}
      .dump();
}

Result<Heartbeat> parse_heartbeat(std::string_view text) {
  auto document = parse_wire_object(text, "heartbeat");
  if (!document) return fail(document.error());
  return read_heartbeat(*document);
}

Result<Heartbeat> read_heartbeat(const json& document) {
  if (!document.is_object())
    return fail(ErrorCode::kInvalidArgument, "heartbeat: expected a JSON object");
  const FieldReader in(document, "");
  Heartbeat h;
  for (auto [key, out] : {std::pair{"version", &h.version},
                          std::pair{"stateDigest", &h.state_digest}, std::pair{"time", &h.time}}) {
    auto value = in.text(key, false, kMaxText);
    if (!value) return fail(value.error());
    *out = std::move(*value);
  }
  for (auto [key, out] : {std::pair{"uptimeSeconds", &h.uptime_seconds},
                          std::pair{"diskUsedBytes", &h.disk_used_bytes},
                          std::pair{"diskFreeBytes", &h.disk_free_bytes},
                          std::pair{"bytesTransferred", &h.bytes_transferred}}) {
    auto value = in.count(key);
    if (!value) return fail(value.error());
    *out = *value;
  }
  return h;
}

std::string to_json(const HeartbeatAnswer& a) {
  return json{{"stateDigest", a.state_digest},
              {"inSync", a.in_sync},
              {"nextHeartbeatSeconds", a.next_heartbeat_seconds}}
      .dump();
}

Result<HeartbeatAnswer> parse_heartbeat_answer(std::string_view text) {
  auto document = parse_wire_object(text, "heartbeat answer");
  if (!document) return fail(document.error());
  const FieldReader in(*document, "");
  auto digest = in.text("stateDigest", false);
  if (!digest) return fail(digest.error());
  auto next = in.count("nextHeartbeatSeconds");
  if (!next) return fail(next.error());
  const auto in_sync = document->find("inSync");
  return HeartbeatAnswer{
      std::move(*digest),
      in_sync != document->end() && in_sync->is_boolean() && in_sync->get<bool>(), *next};
}

}  // namespace common::fleet_wire
