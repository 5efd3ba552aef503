#include "groundcontrol/api/route_table.hpp"

#include "common/http/builtin_routes.hpp"
#include "groundcontrol/api/ca_handlers.hpp"
#include "groundcontrol/api/command_handlers.hpp"
#include "groundcontrol/api/enrollment_handlers.hpp"
#include "groundcontrol/api/enrollment_request_handlers.hpp"
#include "groundcontrol/api/fleet_handlers.hpp"
#include "groundcontrol/api/group_credential_handlers.hpp"
#include "groundcontrol/api/group_rule_handlers.hpp"
#include "groundcontrol/api/json_response.hpp"
#include "groundcontrol/api/nats_credential_handlers.hpp"
#include "groundcontrol/api/registry_endpoint_handlers.hpp"
#include "groundcontrol/api/resource_handlers.hpp"
#include "groundcontrol/api/satellite_handlers.hpp"
#include "groundcontrol/api/serving_certificate_handlers.hpp"
#include "groundcontrol/api/ui_handlers.hpp"
#include "groundcontrol/api/user_handlers.hpp"

namespace groundcontrol::api {
namespace {

using common::http::Method;
using common::http::MethodSet;
using common::http::Request;
using common::http::Response;
using common::http::Route;
using common::http::RouteMatch;

Route readiness_route(std::function<bool()> ready) {
  return {
      MethodSet{Method::kGet, Method::kHead}, "/readyz", "readyz",
      [ready = std::move(ready)](Request&, const RouteMatch&) -> boost::asio::awaitable<Response> {
        const bool ok = !ready || ready();
        Response response(ok ? 200 : 503);
        response.set("Content-Type", "text/plain");
        response.body = std::string(ok ? "ok\n" : "not ready\n");
        co_return response;
      }};
}

Route openapi_route() {
  return {MethodSet{Method::kGet, Method::kHead}, "/api/v1/openapi.yaml", "openapi",
          [](Request&, const RouteMatch&) -> boost::asio::awaitable<Response> {
            Response response(200);
            response.set("Content-Type", "application/yaml");
            response.body = std::string(openapi_document());
            co_return response;
          }};
}

}  // namespace

std::vector<Route> management_routes(const ManagementHandlers& handlers) {
  std::vector<Route> routes;
  routes.push_back(common::http::health_route());
  routes.push_back(readiness_route(handlers.ready));
  routes.push_back(common::http::metrics_route(handlers.metrics));
  routes.push_back(openapi_route());
  for (auto& route : handlers.resources.routes()) routes.push_back(std::move(route));
  for (auto& route : handlers.users.routes()) routes.push_back(std::move(route));
  for (auto& route : handlers.enrollment.management_routes()) routes.push_back(std::move(route));
  for (auto& route : handlers.fleet.routes()) routes.push_back(std::move(route));
  for (auto& route : handlers.enrollment_requests.management_routes())
    routes.push_back(std::move(route));
  for (auto& route : handlers.group_credentials.routes()) routes.push_back(std::move(route));
  for (auto& route : handlers.cas.management_routes()) routes.push_back(std::move(route));
  for (auto& route : handlers.registry_endpoints.routes()) routes.push_back(std::move(route));
  for (auto& route : handlers.group_rules.routes()) routes.push_back(std::move(route));
  for (auto& route : handlers.commands.routes()) routes.push_back(std::move(route));
  for (auto& route : handlers.nats_credentials.management_routes(handlers.access))
    routes.push_back(std::move(route));
  for (auto& route : ui_routes()) routes.push_back(std::move(route));
  return routes;
}

std::vector<Route> satellite_routes(const SatelliteApiHandlers& handlers) {
  std::vector<Route> routes;
  routes.push_back(common::http::health_route());
  for (auto& route : handlers.satellites.routes()) routes.push_back(std::move(route));
  for (auto& route : handlers.enrollment.satellite_routes()) routes.push_back(std::move(route));
  for (auto& route : handlers.enrollment_requests.satellite_routes())
    routes.push_back(std::move(route));
  for (auto& route : handlers.cas.satellite_routes()) routes.push_back(std::move(route));
  for (auto& route : handlers.serving_certificates.satellite_routes())
    routes.push_back(std::move(route));
  for (auto& route : handlers.nats_credentials.satellite_routes())
    routes.push_back(std::move(route));
  return routes;
}

common::http::RouterConfig router_config() {
  return {.write_error = [](const common::Error& error) { return error_response(error); }};
}

}  // namespace groundcontrol::api
