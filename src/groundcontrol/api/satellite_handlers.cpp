#include "groundcontrol/api/satellite_handlers.hpp"

#include <fmt/format.h>

#include <charconv>

#include "common/fleet_wire/satellite_state.hpp"
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

}  // namespace

std::vector<common::http::Route> SatelliteHandlers::routes() {
  return {{MethodSet{Method::kGet}, "/satellite/v1/state", "satellite_state",
           [this](Request& r, const RouteMatch&) { return state(r); }},
          {MethodSet{Method::kGet}, "/satellite/v1/config", "satellite_config",
           [this](Request& r, const RouteMatch&) { return config(r); }},
          {MethodSet{Method::kPost}, "/satellite/v1/heartbeat", "satellite_heartbeat",
           [this](Request& r, const RouteMatch&) { return heartbeat(r); }}};
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
  if (!state)
    co_return error_response(common::Error(
        ErrorCode::kNotFound, fmt::format("satellite \"{}\" is not registered", *satellite)));
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

namespace {

// A number field of a heartbeat (absent: 0); kInvalidArgument naming it otherwise.
common::Result<std::int64_t> count_field(const nlohmann::json& body, std::string_view key) {
  const auto found = body.find(key);
  if (found == body.end() || found->is_null()) return std::int64_t{0};
  if (!found->is_number_integer() || found->get<std::int64_t>() < 0)
    return common::fail(ErrorCode::kInvalidArgument,
                        fmt::format("{}: expected a count of 0 or more", key));
  return found->get<std::int64_t>();
}

common::Result<std::string> text_field(const nlohmann::json& body, std::string_view key) {
  const auto found = body.find(key);
  if (found == body.end() || found->is_null()) return std::string();
  if (!found->is_string() || found->get<std::string>().size() > 256)
    return common::fail(ErrorCode::kInvalidArgument,
                        fmt::format("{}: expected a string of at most 256 bytes", key));
  return found->get<std::string>();
}

}  // namespace

boost::asio::awaitable<Response> SatelliteHandlers::heartbeat(Request& request) {
  auto satellite = identity_.satellite_of(request);
  if (!satellite) co_return error_response(satellite.error());
  auto body = co_await common::http::read_json_body(request, 64 * 1024);
  if (!body) co_return error_response(body.error());
  if (!body->is_object())
    co_return error_response(
        common::Error(ErrorCode::kInvalidArgument, "body: expected an object"));
  const auto now = clock_.now();
  store::Heartbeat beat{*satellite, common::format_rfc3339(now)};
  for (auto [key, out] :
       {std::pair{"version", &beat.version}, std::pair{"stateDigest", &beat.applied_state_digest},
        std::pair{"time", &beat.reported_time}}) {
    auto value = text_field(*body, key);
    if (!value) co_return error_response(value.error());
    *out = std::move(*value);
  }
  for (auto [key, out] : {std::pair{"uptimeSeconds", &beat.uptime_seconds},
                          std::pair{"diskUsedBytes", &beat.disk_used_bytes},
                          std::pair{"diskFreeBytes", &beat.disk_free_bytes},
                          std::pair{"bytesTransferred", &beat.bytes_transferred}}) {
    auto value = count_field(*body, key);
    if (!value) co_return error_response(value.error());
    *out = *value;
  }
  if (!beat.reported_time.empty()) {
    auto reported = common::parse_rfc3339(beat.reported_time);
    if (!reported)
      co_return error_response(
          common::Error(ErrorCode::kInvalidArgument, "time: " + reported.error().message()));
    beat.clock_offset_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(*reported - now).count();
  }
  const auto desired = view_.state_of(*satellite);
  if (!desired)
    co_return error_response(common::Error(
        ErrorCode::kNotFound, fmt::format("satellite \"{}\" is not registered", *satellite)));
  const bool in_sync = beat.applied_state_digest == desired->state_digest;
  heartbeats_.record(std::move(beat));
  co_return json_response(
      200, {{"stateDigest", desired->state_digest},
            {"inSync", in_sync},
            {"nextHeartbeatSeconds", jittered(view_.heartbeat_interval_of(*satellite))}});
}

boost::asio::awaitable<Response> SatelliteHandlers::config(Request& request) {
  auto satellite = identity_.satellite_of(request);
  if (!satellite) co_return error_response(satellite.error());
  const auto name = view_.config_of(*satellite);
  if (!name)
    co_return error_response(common::Error(
        ErrorCode::kNotFound, fmt::format("satellite \"{}\" is not registered", *satellite)));
  auto document =
      co_await common::http::offload(pool_, [&] { return resources_.satellite_config(*name); });
  if (!document) co_return error_response(document.error());
  Response response = json_response(200, {{"apiVersion", common::fleet_wire::kSatelliteApiVersion},
                                          {"kind", "SatelliteConfig"},
                                          {"name", document->name},
                                          {"digest", document->digest},
                                          {"spec", document->spec}});
  response.set("Cache-Control", "no-store");  // it carries a credential
  co_return response;
}

}  // namespace groundcontrol::api
