#include "groundcontrol/registry/registry_adapter_factory.hpp"

#include <fmt/format.h>

#include "groundcontrol/registry/harbor_registry_adapter.hpp"
#include "groundcontrol/registry/oci_registry_adapter.hpp"

namespace groundcontrol::registry {

common::oci::RegistryEndpoint endpoint_of(const model::RegistryEndpointSpec& spec) {
  common::oci::RegistryEndpoint endpoint;
  endpoint.url = spec.url;
  endpoint.username = spec.username;
  endpoint.password = spec.password.value_or("");
  endpoint.insecure_skip_verify = spec.insecure_skip_verify;
  endpoint.ca_pem = spec.ca_bundle;
  return endpoint;
}

common::Result<std::unique_ptr<RegistryAdapter>> make_registry_adapter(
    std::string_view name, const model::RegistryEndpointSpec& spec,
    const common::http::ClientOptions& http, const common::Clock& clock) {
  const auto label = fmt::format("registry endpoint \"{}\"", name);
  if (spec.type == model::RegistryType::kHarbor) {
    HarborApiClientOptions options;
    options.http = http;
    options.label = label;
    auto adapter = HarborRegistryAdapter::create(endpoint_of(spec), std::move(options), clock);
    if (!adapter) return common::fail(std::move(adapter.error()));
    return std::unique_ptr<RegistryAdapter>(std::move(*adapter));
  }
  common::oci::RegistryClientOptions options;
  options.http = http;
  options.label = label;
  auto client = common::oci::RegistryClient::create(endpoint_of(spec), std::move(options), clock);
  if (!client) return common::fail(std::move(client.error()));
  return std::unique_ptr<RegistryAdapter>(std::make_unique<OciRegistryAdapter>(std::move(*client)));
}

}  // namespace groundcontrol::registry
