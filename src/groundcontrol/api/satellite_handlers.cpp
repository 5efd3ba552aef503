#include "groundcontrol/api/satellite_handlers.hpp"

#include <fmt/format.h>

#include <charconv>

#include "common/fleet_wire/satellite_state.hpp"
#include "common/http/offload.hpp"
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
           [this](Request& r, const RouteMatch&) { return config(r); }}};
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
      (void)co_await request.context->wait_until(request.context->clock().steady_now() + *wait,
                                                 wakeup.get());
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
  auto document = *state;
  document.satellite = *satellite;
  Response response(200);
  response.set("Content-Type", "application/json")
      .set("ETag", etag_of(*state))
      .set("X-Poll-After", poll_after);
  response.body = common::fleet_wire::to_json(document);
  co_return response;
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
