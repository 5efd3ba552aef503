// RegistryApp: the satellite's local registry wired together: the RegistryService on the
// data dir, the blocking pool, metrics, optional htpasswd auth, the router, the HTTP server
// and the garbage collector (scheduled and on demand), and the admin socket through which
// `satellite import`/`export` reach it (admin/admin_socket.hpp), and an optional second,
// HTTPS listener of the same registry that can start late (once the satellite holds a
// serving certificate). Built by create(), served by run() until stop(). Thread-safety:
// stop(), reload_tls(), serve_tls() and address() may be called from any thread.
#pragma once

#include <memory>
#include <string>

#include "common/http/metrics.hpp"
#include "common/log/logger.hpp"
#include "common/result.hpp"
#include "registry/http/content_fetcher.hpp"
#include "registry/registry_service.hpp"
#include "satellite/serve_options.hpp"

namespace satellite {

class RegistryApp {
 public:
  // Opens the data dir and binds the listener; errors say which step failed.
  [[nodiscard]] static common::Result<std::unique_ptr<RegistryApp>> create(
      ServeOptions options, common::log::Logger logger);
  virtual ~RegistryApp() = default;
  // The registry library the server serves from (the agent writes through it).
  virtual registry::RegistryService& registry() = 0;
  // The metrics /metrics renders; add gauges before run().
  virtual common::http::Metrics& metrics() = 0;
  // Pull-through proxy mode: pulls of content not held are filled through `fetcher`
  // (borrowed, must outlive run()). Before run() only.
  virtual void set_content_fetcher(registry::http::ContentFetcher* fetcher) = 0;
  // The bound "host:port".
  virtual std::string address() const = 0;
  // Serves until stop() has drained in-flight requests.
  virtual void run() = 0;
  virtual void stop() = 0;
  // Runs garbage collection now, in the background (SIGUSR1 from `satellite gc`).
  virtual void trigger_gc() = 0;
  // Serves the same registry over HTTPS as well, as `config` says (its tls set), on threads
  // of its own until stop(): the bound "host:port". Called again, it re-reads the TLS files
  // for new connections instead (a renewed certificate). kUnavailable after stop() or when
  // the address cannot be bound; kInvalidArgument for TLS files that do not load.
  [[nodiscard]] virtual common::Result<std::string> serve_tls(
      common::http::ServerConfig config) = 0;
  // Re-reads the TLS certificate, key and client CA files for new connections (SIGHUP);
  // kInvalidArgument when they do not load (the current ones stay) or TLS is off.
  [[nodiscard]] virtual common::Status reload_tls() = 0;
};

}  // namespace satellite
