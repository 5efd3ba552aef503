#include "groundcontrol/api/enrollment_handlers.hpp"

#include <nlohmann/json.hpp>

#include "common/http/json_body.hpp"
#include "common/http/offload.hpp"
#include "groundcontrol/api/csr_body.hpp"
#include "groundcontrol/api/json_response.hpp"
#include "groundcontrol/model/json_fields.hpp"

namespace groundcontrol::api {
namespace {

using common::http::Method;
using common::http::MethodSet;
using common::http::Request;
using common::http::Response;
using common::http::RouteMatch;
using nlohmann::json;

constexpr std::size_t kMaxEnrollBytes = kMaxCsrBodyBytes;  // and a token

json enrollment_json(const service::Enrollment& e, const service::FleetView* view) {
  json out = {{"satellite", e.satellite}, {"certificate", e.certificate_pem},
              {"ca", e.ca_pem},           {"caBundle", e.ca_bundle_pem},
              {"serial", e.serial},       {"notAfter", e.not_after}};
  if (view != nullptr) {
    const auto registry = view->state_registry();
    if (!registry.url.empty())
      out["stateRegistry"] = common::fleet_wire::state_registry_json(registry);
  }
  return out;
}

}  // namespace

std::vector<common::http::Route> EnrollmentHandlers::satellite_routes() {
  return {{MethodSet{Method::kPost}, "/satellite/v1/enroll", "satellite_enroll",
           [this](Request& r, const RouteMatch&) { return enroll(r); }},
          {MethodSet{Method::kPost}, "/satellite/v1/renew", "satellite_renew",
           [this](Request& r, const RouteMatch&) { return renew(r); }}};
}

std::vector<common::http::Route> EnrollmentHandlers::management_routes() {
  return {{MethodSet{Method::kPost}, "/api/v1/satellites/{name}/token", "satellite_token",
           [this](Request& r, const RouteMatch& m) { return token(r, m.param("name")); }},
          {MethodSet{Method::kPost}, "/api/v1/satellites/{name}/revoke", "satellite_revoke",
           [this](Request& r, const RouteMatch& m) { return revoke(r, m.param("name")); }}};
}

boost::asio::awaitable<Response> EnrollmentHandlers::enroll(Request& request) {
  auto body = co_await common::http::read_json_body(request, kMaxEnrollBytes);
  if (!body) co_return error_response(body.error());
  auto fields = model::JsonFields::open(*body, "");
  if (!fields) co_return error_response(fields.error());
  auto token = fields->required_text("token");
  if (!token) co_return error_response(token.error());
  auto csr = fields->required_text("csr");
  if (!csr) co_return error_response(csr.error());
  if (auto ok = fields->finish(); !ok) co_return error_response(ok.error());
  auto enrolled =
      co_await common::http::offload(pool_, [&] { return enrollment_.enroll(*token, *csr); });
  if (!enrolled) co_return error_response(enrolled.error());
  co_return json_response(200, enrollment_json(*enrolled, view_));
}

boost::asio::awaitable<Response> EnrollmentHandlers::renew(Request& request) {
  auto satellite = identity_.satellite_of(request);
  if (!satellite) co_return error_response(satellite.error());
  auto csr = co_await read_csr_body(request);
  if (!csr) co_return error_response(csr.error());
  auto renewed =
      co_await common::http::offload(pool_, [&] { return enrollment_.renew(*satellite, *csr); });
  if (!renewed) co_return error_response(renewed.error());
  co_return json_response(200, enrollment_json(*renewed, view_));
}

boost::asio::awaitable<Response> EnrollmentHandlers::token(Request& request,
                                                           std::string_view satellite) {
  auto principal = co_await access_.authorize(request, Role::kAdmin);
  if (!principal) co_return error_response(principal.error());
  auto issued = co_await common::http::offload(
      pool_, [&] { return enrollment_.issue_token(satellite, service::Actor{principal->actor}); });
  if (!issued) co_return error_response(issued.error());
  co_return json_response(
      200, {{"satellite", satellite}, {"token", issued->token}, {"expiresAt", issued->expires_at}});
}

boost::asio::awaitable<Response> EnrollmentHandlers::revoke(Request& request,
                                                            std::string_view satellite) {
  auto principal = co_await access_.authorize(request, Role::kAdmin);
  if (!principal) co_return error_response(principal.error());
  auto done = co_await common::http::offload(
      pool_, [&] { return enrollment_.revoke(satellite, service::Actor{principal->actor}); });
  if (!done) co_return error_response(done.error());
  co_return Response(204);
}

}  // namespace groundcontrol::api
