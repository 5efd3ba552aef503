#include "registry/http/registry_router.hpp"

#include "common/http/offload.hpp"
#include "registry/http/error_response.hpp"
#include "registry/http/handler_context.hpp"
#include "registry/http/oci_route.hpp"

namespace registry::http {

using common::ErrorCode;
using common::http::Method;
using common::http::Response;

namespace {

bool is_write(Method method) {
  return method == Method::kPost || method == Method::kPut || method == Method::kPatch ||
         method == Method::kDelete;
}

std::string_view route_name(OciEndpoint endpoint) {
  switch (endpoint) {
    case OciEndpoint::kBase:
      return route::kBase;
    case OciEndpoint::kCatalog:
      return route::kCatalog;
    case OciEndpoint::kTags:
      return route::kTags;
    case OciEndpoint::kManifest:
      return route::kManifest;
    case OciEndpoint::kBlob:
      return route::kBlob;
    case OciEndpoint::kUploads:
      return route::kUploadStart;
    case OciEndpoint::kUpload:
      return route::kUpload;
    case OciEndpoint::kReferrers:
      return route::kReferrers;
  }
  return route::kUnmatched;
}

}  // namespace

RegistryRouter::RegistryRouter(RegistryService& service, boost::asio::thread_pool& pool,
                               RegistryMetrics& metrics, Authenticator* auth,
                               common::log::Logger logger, bool access_log)
    : service_(service),
      pool_(pool),
      metrics_(metrics),
      auth_(auth),
      logger_(std::move(logger)),
      access_log_(access_log) {}

boost::asio::awaitable<std::optional<Response>> RegistryRouter::authenticate(
    const common::http::Request& request, std::string_view route) {
  if (auth_ == nullptr) co_return std::nullopt;
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
  response->route = route;
  co_return response;
}

boost::asio::awaitable<Response> RegistryRouter::handle(common::http::Request& request) {
  if (request.path == "/healthz") {
    Response response(200);
    response.route = route::kHealth;
    response.set("Content-Type", "text/plain");
    response.body = std::string("ok\n");
    co_return response;
  }
  if (request.path == "/metrics") {
    if (auto refused = co_await authenticate(request, route::kMetrics))
      co_return std::move(*refused);
    Response response(200);
    response.route = route::kMetrics;
    response.set("Content-Type", "text/plain; version=0.0.4");
    response.body = metrics_.render(service_.storage_stats());
    co_return response;
  }
  Response response = co_await dispatch(request);
  response.set("Docker-Distribution-API-Version", "registry/2.0");
  co_return response;
}

boost::asio::awaitable<Response> RegistryRouter::dispatch(common::http::Request& request) {
  auto route = parse_oci_route(request.path);
  if (!route) {
    auto response = error_response(route.error().code() == ErrorCode::kNotFound
                                       ? common::Error(ErrorCode::kNotFound, "no such endpoint")
                                       : route.error());
    co_return response;
  }
  const auto name = route_name(route->endpoint);
  if (auto refused = co_await authenticate(request, name)) co_return std::move(*refused);
  if (service_.config().read_only && is_write(request.method)) {
    auto response =
        error_response(common::Error(ErrorCode::kUnsupported, "the registry is in read-only mode"));
    response.route = name;
    co_return response;
  }
  HandlerContext ctx{service_, pool_};
  Response response;
  switch (route->endpoint) {
    case OciEndpoint::kBase:
      response = Response(200);
      response.set("Content-Type", "application/json");
      response.body = std::string("{}");
      break;
    case OciEndpoint::kCatalog:
      response = co_await handle_catalog(ctx, request, *route);
      break;
    case OciEndpoint::kTags:
      response = co_await handle_tags(ctx, request, *route);
      break;
    case OciEndpoint::kManifest:
      response = co_await handle_manifest(ctx, request, *route);
      break;
    case OciEndpoint::kBlob:
      response = co_await handle_blob(ctx, request, *route);
      break;
    case OciEndpoint::kUploads:
      response = co_await handle_upload_start(ctx, request, *route);
      break;
    case OciEndpoint::kUpload:
      response = co_await handle_upload(ctx, request, *route);
      break;
    case OciEndpoint::kReferrers:
      response = co_await handle_referrers(ctx, request, *route);
      break;
  }
  response.route = name;
  co_return response;
}

void RegistryRouter::observe(const common::http::Exchange& exchange) {
  metrics_.record(exchange.route, exchange.status, exchange.bytes_sent, exchange.duration);
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
