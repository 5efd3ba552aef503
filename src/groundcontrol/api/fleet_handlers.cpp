#include "groundcontrol/api/fleet_handlers.hpp"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "common/http/offload.hpp"
#include "groundcontrol/api/json_response.hpp"
#include "groundcontrol/model/kind.hpp"
#include "groundcontrol/model/names.hpp"

namespace groundcontrol::api {
namespace {

using common::http::Method;
using common::http::MethodSet;
using common::http::Request;
using common::http::Response;
using common::http::RouteMatch;
using nlohmann::json;

json counts_json(const service::HealthCounts& counts) {
  json connectivity = json::object();
  for (const auto state : model::kConnectivities)
    connectivity[std::string(model::name_of(state))] =
        counts.connectivity[static_cast<std::size_t>(state)];
  json sync = json::object();
  for (const auto state : model::kSyncStates)
    sync[std::string(model::name_of(state))] = counts.sync[static_cast<std::size_t>(state)];
  return {{"satellites", counts.satellites}, {"connectivity", connectivity}, {"sync", sync}};
}

json by_name(const std::map<std::string, service::HealthCounts, std::less<>>& counts) {
  json out = json::object();
  for (const auto& [name, c] : counts) out[name] = counts_json(c);
  return out;
}

}  // namespace

std::vector<common::http::Route> FleetHandlers::routes() {
  return {{MethodSet{Method::kGet}, "/api/v1/fleet/summary", "fleet_summary",
           [this](Request& r, const RouteMatch&) { return summary(r); }},
          {MethodSet{Method::kGet}, "/api/v1/satellites/{name}/state", "satellite_desired_state",
           [this](Request& r, const RouteMatch& m) { return desired_state(r, m); }}};
}

boost::asio::awaitable<Response> FleetHandlers::desired_state(Request& request,
                                                              const RouteMatch& match) {
  auto principal = co_await access_.authorize(request, Role::kViewer);
  if (!principal) co_return error_response(principal.error());
  const auto name = match.param("name");
  const auto state = view_.state_of(name);
  if (!state) {
    co_return error_response(common::Error{common::ErrorCode::kNotFound,
                                           fmt::format("Satellite \"{}\" not found", name)});
  }
  Response response(200);
  response.set("Content-Type", "application/json")
      .set("ETag", fmt::format("\"{}\"", state->state_digest));
  response.body = common::fleet_wire::to_json(*state, name);
  co_return response;
}

boost::asio::awaitable<Response> FleetHandlers::summary(Request& request) {
  auto principal = co_await access_.authorize(request, Role::kViewer);
  if (!principal) co_return error_response(principal.error());
  const auto label_key = request.query_param("labelKey").value_or("");
  if (!label_key.empty()) {
    if (auto valid = model::validate_label_key(label_key, "labelKey"); !valid)
      co_return error_response(valid.error());
  }
  auto summary = co_await common::http::offload(pool_, [&] { return health_.summary(label_key); });
  if (!summary) co_return error_response(summary.error());
  json document = {{"apiVersion", model::kApiVersion},
                   {"kind", "FleetSummary"},
                   {"fleet", counts_json(summary->fleet)},
                   {"groups", by_name(summary->by_group)}};
  if (!label_key.empty())
    document["label"] = {{"key", label_key}, {"values", by_name(summary->by_label)}};
  co_return json_response(200, document);
}

}  // namespace groundcontrol::api
