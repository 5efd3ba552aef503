// RegistryEndpointService: what ground control does with its RegistryEndpoints beyond
// storing them: builds an endpoint's adapter from its spec and sealed password, tests the
// connection, and records in the endpoint's status how the last test and the last use
// (a rule evaluation, a state push) went, so an operator sees why a registry is not
// followed: status.lastTest {time, ok, message} and status.lastError {time, message}
// (null after a success, which sets status.lastSuccess).
// Blocking (database, then the registry over HTTP): call from the blocking pool.
// Thread-safety: every call from any thread.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "common/clock.hpp"
#include "common/http/client_options.hpp"
#include "common/result.hpp"
#include "groundcontrol/registry/registry_adapter.hpp"
#include "groundcontrol/service/resource_service.hpp"

namespace groundcontrol::service {

struct EndpointTestResult {
  bool ok = false;
  std::string message;  // "connected", or why not
  std::string time;     // RFC 3339
};

class RegistryEndpointService {
 public:
  // `http` gives the adapters' HTTP knobs (timeouts, proxy); `clock` must outlive this.
  RegistryEndpointService(ResourceService& resources, const common::Clock& clock,
                          common::http::ClientOptions http)
      : resources_(resources), clock_(clock), http_(std::move(http)) {}

  // The adapter of endpoint `name`. kNotFound; kInvalidArgument for settings the clients
  // refuse; the credentials' errors as ResourceService::registry_endpoint.
  [[nodiscard]] common::Result<std::unique_ptr<registry::RegistryAdapter>> adapter(
      std::string_view name);
  // Connects with the endpoint's credentials and records the outcome in status.lastTest
  // (and lastError/lastSuccess). A failed connection is a result (ok false), not an error;
  // errors: kNotFound, or the database's.
  [[nodiscard]] common::Result<EndpointTestResult> test(std::string_view name);
  // Records the outcome of a use of the endpoint: an error in status.lastError, a success
  // in status.lastSuccess (clearing lastError).
  [[nodiscard]] common::Status record_use(std::string_view name, const common::Status& outcome);

 private:
  ResourceService& resources_;
  const common::Clock& clock_;
  const common::http::ClientOptions http_;
};

}  // namespace groundcontrol::service
