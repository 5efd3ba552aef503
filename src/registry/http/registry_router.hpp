// RegistryRouter: the registry's HTTP front, a common::http::Router built from the /v2/ table
// (oci_route.hpp) plus the built-in /healthz and /metrics. Authentication and read-only mode
// are filters applied once to every /v2/ route (authentication also to /metrics; /healthz is
// always open, it tells nothing); the router's own 404/405 use the OCI error envelope and
// every response carries Docker-Distribution-API-Version. It registers the storage gauges on
// the Metrics it is given and observes each finished exchange for metrics and the access log.
// Ownership: borrows everything it is given for its lifetime.
// Thread-safety: handle() and observe() from any I/O thread.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/thread_pool.hpp>

#include <memory>
#include <optional>

#include "common/http/metrics.hpp"
#include "common/http/router.hpp"
#include "common/http/server.hpp"
#include "common/log/logger.hpp"
#include "registry/http/authenticator.hpp"
#include "registry/http/handler_context.hpp"
#include "registry/registry_service.hpp"

namespace registry::http {

class RegistryRouter {
 public:
  // `pool` runs the handlers' blocking work. `auth` may be null (no authentication).
  // `access_log` writes one info line per request. kInvalidArgument / kAlreadyExists when
  // the route table or the gauges are malformed (a bug).
  [[nodiscard]] static common::Result<std::unique_ptr<RegistryRouter>> create(
      RegistryService& service, boost::asio::thread_pool& pool, common::http::Metrics& metrics,
      Authenticator* auth, common::log::Logger logger, bool access_log);

  boost::asio::awaitable<common::http::Response> handle(common::http::Request& request) const {
    return router_.handle(request);
  }
  void observe(const common::http::Exchange& exchange);
  // Makes the registry a pull-through proxy: pulls of content it does not hold are filled
  // through `fetcher` (borrowed; null turns it off). Before serving only.
  void set_fetcher(ContentFetcher* fetcher) noexcept { ctx_.fetcher = fetcher; }

 private:
  RegistryRouter(RegistryService& service, boost::asio::thread_pool& pool,
                 common::http::Metrics& metrics, Authenticator* auth, common::log::Logger logger,
                 bool access_log);

  common::Status build();
  // nullopt when the request may go on; otherwise the 401 or 429 to answer with.
  boost::asio::awaitable<std::optional<common::http::Response>> authenticate(
      common::http::Request& request, const common::http::RouteMatch& match);
  boost::asio::awaitable<std::optional<common::http::Response>> refuse_writes(
      common::http::Request& request, const common::http::RouteMatch& match);
  // Runs one table row's handler with the match as an OciRoute.
  boost::asio::awaitable<common::http::Response> serve(OciHandler handler,
                                                       common::http::Request& request,
                                                       const common::http::RouteMatch& match);

  RegistryService& service_;
  HandlerContext ctx_;
  common::http::Metrics& metrics_;
  Authenticator* auth_;
  common::log::Logger logger_;
  bool access_log_;
  common::http::Router router_;
};

}  // namespace registry::http
