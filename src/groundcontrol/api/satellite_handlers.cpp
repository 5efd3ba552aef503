#include "groundcontrol/api/satellite_handlers.hpp"

#include <fmt/format.h>

#include <charconv>

#include "common/fleet_wire/heartbeat.hpp"
#include "common/fleet_wire/satellite_state.hpp"
#include "common/fleet_wire/status_report.hpp"
#include "common/http/json_body.hpp"
#include "common/http/offload.hpp"
#include "common/time_format.hpp"
#include "groundcontrol/api/json_response.hpp"

#include <nlohmann/json.hpp>

namespace groundcontrol::api {
namespace {

using common::ErrorCode;
using common::http::Method;
using common::http::MethodSet;
using common::http::Request;
using common::http::Response;
using common::http::RouteMatch;

std::string etag_of(const service::RenderedState& state) {
  return fmt::format("\"{}\"", state.state_digest);
}

// True when the If-None-Match header names `etag` (or is "*").
bool matches(std::string_view if_none_match, std::string_view etag) {
  for (std::size_t start = 0; start < if_none_match.size();) {
    const auto comma = std::min(if_none_match.find(',', start), if_none_match.size());
    auto candidate = if_none_match.substr(start, comma - start);
    while (!candidate.empty() && candidate.front() == ' ') candidate.remove_prefix(1);
    while (!candidate.empty() && candidate.back() == ' ') candidate.remove_suffix(1);
    if (candidate.starts_with("W/")) candidate.remove_prefix(2);
    if (candidate == etag || candidate == "*") return true;
    start = comma + 1;
  }
  return false;
}

common::Result<std::chrono::seconds> parse_wait(const Request& request) {
  const auto text = request.query_param("wait");
  if (!text || text->empty()) return std::chrono::seconds(0);
  auto digits = std::string_view(*text);
  if (digits.ends_with('s')) digits.remove_suffix(1);
  std::int64_t seconds = 0;
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), seconds);
  if (ec != std::errc() || end != digits.data() + digits.size() || seconds < 0)
    return common::fail(ErrorCode::kInvalidArgument, "wait: expected seconds, e.g. wait=60");
  return std::min(std::chrono::seconds(seconds), kMaxStateWait);
}

common::Error not_registered(std::string_view satellite) {
  return {ErrorCode::kNotFound, fmt::format("satellite \"{}\" is not registered", satellite)};
}

}  // namespace

std::vector<common::http::Route> SatelliteHandlers::routes() {
  return {{MethodSet{Method::kGet}, "/satellite/v1/state", "satellite_state",
           [this](Request& r, const RouteMatch&) { return state(r); }},
          {MethodSet{Method::kGet}, "/satellite/v1/config", "satellite_config",
           [this](Request& r, const RouteMatch&) { return config(r); }},
          {MethodSet{Method::kPost}, "/satellite/v1/heartbeat", "satellite_heartbeat",
           [this](Request& r, const RouteMatch&) { return heartbeat(r); }},
          {MethodSet{Method::kPost}, "/satellite/v1/status", "satellite_status",
           [this](Request& r, const RouteMatch&) { return status(r); }}};
}

std::int64_t SatelliteHandlers::jittered(std::chrono::seconds interval) {
  std::lock_guard lock(random_mutex_);
  std::uniform_real_distribution<double> spread(0.9, 1.1);
  return std::max<std::int64_t>(1, static_cast<std::int64_t>(interval.count() * spread(random_)));
}

boost::asio::awaitable<Response> SatelliteHandlers::state(Request& request) {
  auto satellite = identity_.satellite_of(request);
  if (!satellite) co_return error_response(satellite.error());
  auto wait = parse_wait(request);
  if (!wait) co_return error_response(wait.error());
  const auto known = std::string(request.header("If-None-Match"));

  auto state = view_.state_of(*satellite);
  if (state && !known.empty() && matches(known, etag_of(*state)) && wait->count() > 0) {
    // Registered before the second look, so a change in between still ends the wait.
    auto wakeup = common::http::Wakeup::create();
    const auto watch = view_.watch(*satellite, wakeup);
    state = view_.state_of(*satellite);
    if (state && matches(known, etag_of(*state))) {
      long_polls_.fetch_add(1, std::memory_order_relaxed);
      (void)co_await request.context->wait_until(request.context->clock().steady_now() + *wait,
                                                 wakeup.get());
      long_polls_.fetch_sub(1, std::memory_order_relaxed);
      state = view_.state_of(*satellite);
    }
  }
  if (!state) co_return error_response(not_registered(*satellite));
  const auto poll_after = std::to_string(jittered(view_.poll_interval_of(*satellite)));
  if (!known.empty() && matches(known, etag_of(*state))) {
    Response response(304);
    response.set("ETag", etag_of(*state)).set("X-Poll-After", poll_after);
    co_return response;
  }
  Response response(200);
  response.set("Content-Type", "application/json")
      .set("ETag", etag_of(*state))
      .set("X-Poll-After", poll_after);
  response.body = common::fleet_wire::to_json(*state, *satellite);
  co_return response;
}

boost::asio::awaitable<Response> SatelliteHandlers::heartbeat(Request& request) {
  auto satellite = identity_.satellite_of(request);
  if (!satellite) co_return error_response(satellite.error());
  auto body = co_await common::http::read_json_body(request, 64 * 1024);
  if (!body) co_return error_response(body.error());
  auto beat = common::fleet_wire::read_heartbeat(*body);
  if (!beat) co_return error_response(beat.error());
  const auto now = clock_.now();
  store::Heartbeat row{*satellite, common::format_rfc3339(now)};
  if (!beat->time.empty()) {
    auto reported = common::parse_rfc3339(beat->time);
    if (!reported)
      co_return error_response(
          common::Error(ErrorCode::kInvalidArgument, "time: " + reported.error().message()));
    row.clock_offset_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(*reported - now).count();
  }
  const auto desired = view_.state_of(*satellite);
  if (!desired) co_return error_response(not_registered(*satellite));
  row.reported_time = std::move(beat->time);
  row.version = std::move(beat->version);
  row.uptime_seconds = beat->uptime_seconds;
  row.disk_used_bytes = beat->disk_used_bytes;
  row.disk_free_bytes = beat->disk_free_bytes;
  row.bytes_transferred = beat->bytes_transferred;
  row.applied_state_digest = std::move(beat->state_digest);
  const bool in_sync = row.applied_state_digest == desired->state_digest;
  reports_.record(std::move(row));
  Response response(200);
  response.set("Content-Type", "application/json");
  response.body = common::fleet_wire::to_json(common::fleet_wire::HeartbeatAnswer{
      desired->state_digest, in_sync, jittered(view_.heartbeat_interval_of(*satellite))});
  co_return response;
}

boost::asio::awaitable<Response> SatelliteHandlers::status(Request& request) {
  auto satellite = identity_.satellite_of(request);
  if (!satellite) co_return error_response(satellite.error());
  // 10,000 artifacts with long reasons fit; more is not a satellite's report.
  auto body = co_await common::http::read_json_body(request, 8 * 1024 * 1024);
  if (!body) co_return error_response(body.error());
  auto report = common::fleet_wire::read_status_report(*body);
  if (!report) co_return error_response(report.error());
  if (!report->last_sync_time.empty()) {
    if (auto time = common::parse_rfc3339(report->last_sync_time); !time)
      co_return error_response(
          common::Error(ErrorCode::kInvalidArgument, "lastSync.time: " + time.error().message()));
  }
  const auto desired = view_.state_of(*satellite);
  if (!desired) co_return error_response(not_registered(*satellite));
  reports_.record(
      store::StoredReport{*satellite, common::format_rfc3339(clock_.now()), std::move(*report)});
  co_return json_response(202, {{"stateDigest", desired->state_digest}});
}

boost::asio::awaitable<Response> SatelliteHandlers::config(Request& request) {
  auto satellite = identity_.satellite_of(request);
  if (!satellite) co_return error_response(satellite.error());
  const auto name = view_.config_of(*satellite);
  if (!name) co_return error_response(not_registered(*satellite));
  auto document =
      co_await common::http::offload(pool_, [&] { return resources_.satellite_config(*name); });
  if (!document) co_return error_response(document.error());
  if (robots_ != nullptr) {
    // The satellite's own robot, with a fresh secret when one is due: handed over only
    // here, over mTLS.
    std::optional<service::HeldCredentials> held;
    if (auto name = request.query_param("heldUsername"); name && !name->empty())
      held = service::HeldCredentials{*name, request.query_param("heldExpireAt").value_or("")};
    auto robot = co_await common::http::offload(
        pool_, [&] { return robots_->credentials_for(*satellite, held); });
    auto& upstream = document->spec["upstream"];
    if (robot) {
      upstream["username"] = robot->username;
      if (robot->fresh) {
        upstream["password"] = robot->password;
      } else {
        upstream.erase("password");
        upstream["credentialsUnchanged"] = true;
      }
      if (!robot->expires_at.empty()) upstream["credentialsExpireAt"] = robot->expires_at;
    } else if (robot.error().code() == common::ErrorCode::kConflict) {
      // Nothing to pull yet: no credentials at all (never the config's shared ones).
      upstream.erase("username");
      upstream.erase("password");
    } else {
      // Harbor refused or is down: unavailable, so the satellite keeps what it has and
      // asks again; the reason is Harbor's, naming the robot, never a secret.
      co_return error_response(common::Error(
          common::ErrorCode::kUnavailable,
          fmt::format("robot account of {}: {}", *satellite, robot.error().message())));
    }
  }
  Response response = json_response(200, {{"apiVersion", common::fleet_wire::kSatelliteApiVersion},
                                          {"kind", "SatelliteConfig"},
                                          {"name", document->name},
                                          {"digest", document->digest},
                                          {"spec", document->spec}});
  response.set("Cache-Control", "no-store");  // it carries a credential
  co_return response;
}

}  // namespace groundcontrol::api
