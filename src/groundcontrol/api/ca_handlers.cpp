#include "groundcontrol/api/ca_handlers.hpp"

#include <nlohmann/json.hpp>

#include "common/http/offload.hpp"
#include "groundcontrol/api/json_response.hpp"

namespace groundcontrol::api {
namespace {

using common::http::Method;
using common::http::MethodSet;
using common::http::Request;
using common::http::Response;
using common::http::RouteMatch;
using nlohmann::json;

json cas_json(const std::vector<service::CaSummary>& cas) {
  json items = json::array();
  for (const auto& ca : cas)
    items.push_back({{"role", service::ca_role_name(ca.role)},
                     {"fingerprint", ca.fingerprint},
                     {"subject", ca.subject},
                     {"notBefore", ca.not_before},
                     {"notAfter", ca.not_after},
                     {"certificate", ca.certificate_pem},
                     {"satellites", ca.satellites}});
  return {{"items", std::move(items)}};
}

// ?force=true|false, absent meaning false.
common::Result<bool> force_of(const Request& request) {
  const auto force = request.query_param("force");
  if (!force || *force == "false") return false;
  if (*force == "true") return true;
  return common::fail(common::ErrorCode::kInvalidArgument, "force: must be true or false");
}

}  // namespace

std::vector<common::http::Route> CaHandlers::management_routes() {
  return {{MethodSet{Method::kGet}, "/api/v1/ca", "ca_list",
           [this](Request& r, const RouteMatch&) { return list(r); }},
          {MethodSet{Method::kPost}, "/api/v1/ca/rotation", "ca_rotate",
           [this](Request& r, const RouteMatch&) { return rotate(r); }},
          {MethodSet{Method::kDelete}, "/api/v1/ca/previous", "ca_retire",
           [this](Request& r, const RouteMatch&) { return retire(r); }}};
}

std::vector<common::http::Route> CaHandlers::satellite_routes() {
  return {{MethodSet{Method::kGet}, "/satellite/v1/ca", "satellite_ca",
           [this](Request& r, const RouteMatch&) { return bundle(r); }}};
}

boost::asio::awaitable<Response> CaHandlers::list(Request& request) {
  auto principal = co_await access_.authorize(request, Role::kViewer);
  if (!principal) co_return error_response(principal.error());
  auto cas = co_await common::http::offload(pool_, [&] { return rotation_.list(); });
  if (!cas) co_return error_response(cas.error());
  co_return json_response(200, cas_json(*cas));
}

boost::asio::awaitable<Response> CaHandlers::rotate(Request& request) {
  auto principal = co_await access_.authorize(request, Role::kAdmin);
  if (!principal) co_return error_response(principal.error());
  auto cas = co_await common::http::offload(
      pool_, [&] { return rotation_.rotate(service::Actor{principal->actor}); });
  if (!cas) co_return error_response(cas.error());
  co_return json_response(201, cas_json(*cas));
}

boost::asio::awaitable<Response> CaHandlers::retire(Request& request) {
  auto principal = co_await access_.authorize(request, Role::kAdmin);
  if (!principal) co_return error_response(principal.error());
  auto force = force_of(request);
  if (!force) co_return error_response(force.error());
  auto done = co_await common::http::offload(
      pool_, [&] { return rotation_.retire(*force, service::Actor{principal->actor}); });
  if (!done) co_return error_response(done.error());
  co_return Response(204);
}

boost::asio::awaitable<Response> CaHandlers::bundle(Request& request) {
  auto satellite = identity_.satellite_of(request);
  if (!satellite) co_return error_response(satellite.error());
  const auto cas = cas_.current();
  co_return json_response(
      200, {{"caBundle", cas->bundle.pem()}, {"fingerprints", cas->bundle.fingerprints()}});
}

}  // namespace groundcontrol::api
