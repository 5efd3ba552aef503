#include "common/http/builtin_routes.hpp"

namespace common::http {

namespace {

Response text(int status, std::string content_type, std::string body) {
  Response response(status);
  response.set("Content-Type", std::move(content_type));
  response.body = std::move(body);
  return response;
}

}  // namespace

Route health_route(std::function<bool()> ready) {
  return Route{
      {Method::kGet, Method::kHead},
      "/healthz",
      route_name::kHealth,
      [ready = std::move(ready)](Request&, const RouteMatch&) -> boost::asio::awaitable<Response> {
        if (ready && !ready()) co_return text(503, "text/plain", "not ready\n");
        co_return text(200, "text/plain", "ok\n");
      }};
}

Route metrics_route(const Metrics& metrics, std::vector<Filter> filters) {
  return Route{{Method::kGet, Method::kHead},
               "/metrics",
               route_name::kMetrics,
               [&metrics](Request&, const RouteMatch&) -> boost::asio::awaitable<Response> {
                 co_return text(200, "text/plain; version=0.0.4", metrics.render());
               },
               std::move(filters)};
}

}  // namespace common::http
