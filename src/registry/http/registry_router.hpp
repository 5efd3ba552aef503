// RegistryRouter: the registry's HTTP front: /healthz, /metrics and the /v2/ API. For /v2/
// it parses the path into an OciRoute, applies authentication and read-only mode once for
// every endpoint, dispatches to the endpoint's handler, and adds the headers every
// distribution response carries. /metrics needs the same credentials as /v2/; /healthz is
// always open (it tells nothing). It also observes each finished exchange for metrics and
// the access log. Owns nothing; borrows everything it is given for its lifetime.
// Thread-safety: call from any I/O thread.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/thread_pool.hpp>

#include "common/http/server.hpp"
#include "common/log/logger.hpp"
#include "registry/http/authenticator.hpp"
#include "registry/http/registry_metrics.hpp"
#include "registry/registry_service.hpp"

namespace registry::http {

class RegistryRouter {
 public:
  // `pool` runs the handlers' blocking work. `auth` may be null (no authentication).
  // `access_log` writes one info line per request.
  RegistryRouter(RegistryService& service, boost::asio::thread_pool& pool, RegistryMetrics& metrics,
                 Authenticator* auth, common::log::Logger logger, bool access_log);

  boost::asio::awaitable<common::http::Response> handle(common::http::Request& request);
  void observe(const common::http::Exchange& exchange);

 private:
  boost::asio::awaitable<common::http::Response> dispatch(common::http::Request& request);
  // nullopt when the request may go on; otherwise the 401 or 429 to answer with.
  boost::asio::awaitable<std::optional<common::http::Response>> authenticate(
      const common::http::Request& request, std::string_view route);

  RegistryService& service_;
  boost::asio::thread_pool& pool_;
  RegistryMetrics& metrics_;
  Authenticator* auth_;
  common::log::Logger logger_;
  bool access_log_;
};

}  // namespace registry::http
