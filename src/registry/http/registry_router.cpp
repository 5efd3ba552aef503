#include "registry/http/registry_router.hpp"

#include "common/http/builtin_routes.hpp"
#include "registry/http/error_response.hpp"
#include "registry/http/oci_route.hpp"

namespace registry::http {

using common::ErrorCode;
using common::http::Method;
using common::http::Request;
using common::http::Response;
using common::http::RouteMatch;

namespace {

bool is_write(Method method) {
  return method == Method::kPost || method == Method::kPut || method == Method::kPatch ||
         method == Method::kDelete;
}

common::http::RouterConfig router_config() {
  common::http::RouterConfig config;
  config.write_error = &error_response;
  config.malformed_path = ErrorCode::kNameInvalid;  // the path's name part, as the spec says
  config.headers = {{"Docker-Distribution-API-Version", "registry/2.0"}};
  return config;
}

}  // namespace

RegistryRouter::RegistryRouter(RegistryService& service, boost::asio::thread_pool& pool,
                               common::http::Metrics& metrics, Authenticator* auth,
                               common::log::Logger logger, bool access_log)
    : service_(service),
      ctx_{service, pool},
      metrics_(metrics),
      auth_(auth),
      logger_(std::move(logger)),
      access_log_(access_log),
      router_(router_config(), &metrics) {}

common::Result<std::unique_ptr<RegistryRouter>> RegistryRouter::create(
    RegistryService& service, boost::asio::thread_pool& pool, common::http::Metrics& metrics,
    Authenticator* auth, common::log::Logger logger, bool access_log) {
  std::unique_ptr<RegistryRouter> router(
      new RegistryRouter(service, pool, metrics, auth, std::move(logger), access_log));
  if (auto built = router->build(); !built) return common::fail(built.error());
  return router;
}

common::Status RegistryRouter::build() {
  // Only the filters this configuration needs, so an open registry runs none per request.
  std::vector<common::http::Filter> auth_filters;
  if (auth_ != nullptr) {
    auth_filters.push_back([this](Request& r, const RouteMatch& m) { return authenticate(r, m); });
  }
  auto v2_filters = auth_filters;
  if (service_.config().read_only) {
    v2_filters.push_back([this](Request& r, const RouteMatch& m) { return refuse_writes(r, m); });
  }
  if (auto added = router_.add(common::http::health_route()); !added) return added;
  if (auto added = router_.add(common::http::metrics_route(metrics_, auth_filters)); !added)
    return added;
  for (const auto& endpoint : oci_endpoints()) {
    auto added = router_.add(
        common::http::Route{endpoint.methods, endpoint.pattern, endpoint.name,
                            [this, handler = endpoint.handler](Request& r, const RouteMatch& m) {
                              return serve(handler, r, m);
                            },
                            v2_filters});
    if (!added) return added;
  }
  auto& service = service_;
  if (auto added = metrics_.add_gauge(
          "registry_storage_blobs", "Blobs stored on disk.",
          [&service] { return static_cast<double>(service.storage_stats().blobs); });
      !added)
    return added;
  return metrics_.add_gauge(
      "registry_storage_bytes", "Bytes of blob data stored on disk.",
      [&service] { return static_cast<double>(service.storage_stats().bytes); });
}

boost::asio::awaitable<Response> RegistryRouter::serve(OciHandler handler, Request& request,
                                                       const RouteMatch& match) {
  const OciRoute route = oci_route(match);
  co_return co_await handler(ctx_, request, route);
}

boost::asio::awaitable<std::optional<Response>> RegistryRouter::authenticate(Request& request,
                                                                             const RouteMatch&) {
  const auto outcome =
      co_await auth_->check(request.header("Authorization"), request.remote_address);
  std::optional<Response> response;
  switch (outcome.verdict) {
    case Authenticator::Verdict::kAllowed:
      co_return std::nullopt;
    case Authenticator::Verdict::kDenied:
      response = error_response(common::Error(ErrorCode::kUnauthorized, "authentication required"));
      response->set("WWW-Authenticate", "Basic realm=\"satellite\", charset=\"UTF-8\"");
      break;
    case Authenticator::Verdict::kThrottled:
      response = error_response(
          common::Error(ErrorCode::kTooManyRequests, "too many failed logins from this address"));
      break;
    case Authenticator::Verdict::kBusy:
      response = error_response(
          common::Error(ErrorCode::kTooManyRequests, "too many password checks in progress"));
      break;
  }
  if (outcome.retry_after.count() > 0) {
    response->set("Retry-After", std::to_string(outcome.retry_after.count()));
  }
  co_return response;
}

boost::asio::awaitable<std::optional<Response>> RegistryRouter::refuse_writes(Request& request,
                                                                              const RouteMatch&) {
  if (!is_write(request.method)) co_return std::nullopt;
  co_return error_response(
      common::Error(ErrorCode::kUnsupported, "the registry is in read-only mode"));
}

void RegistryRouter::observe(const common::http::Exchange& exchange) {
  metrics_.record(exchange);
  if (exchange.status >= 500 && !exchange.diagnostic.empty()) {
    logger_->warn("{} {} route={} status={}: {}", common::http::method_name(exchange.method),
                  exchange.target, exchange.route, exchange.status, exchange.diagnostic);
  }
  if (access_log_) {
    // The target may carry query parameters but never credentials; headers are not logged.
    logger_->info("{} {} {} route={} status={} bytes={} duration_us={}", exchange.remote_address,
                  common::http::method_name(exchange.method), exchange.target, exchange.route,
                  exchange.status, exchange.bytes_sent,
                  std::chrono::duration_cast<std::chrono::microseconds>(exchange.duration).count());
  }
}

}  // namespace registry::http
