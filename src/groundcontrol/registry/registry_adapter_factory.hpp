// make_registry_adapter: the RegistryAdapter for an endpoint's spec, by its type (oci:
// OciRegistryAdapter; harbor: HarborRegistryAdapter), with the password the service opened.
// Pure construction; no request is made.
#pragma once

#include <memory>
#include <string_view>

#include "common/clock.hpp"
#include "common/http/client_options.hpp"
#include "common/result.hpp"
#include "groundcontrol/model/registry_endpoint.hpp"
#include "groundcontrol/registry/registry_adapter.hpp"

namespace groundcontrol::registry {

// The client endpoint of `spec` (URL, username, its opened password, TLS trust).
common::oci::RegistryEndpoint endpoint_of(const model::RegistryEndpointSpec& spec);

// `name` labels the endpoint in errors ("registry endpoint \"central\""); `http` gives the
// HTTP knobs (timeouts, proxy); `clock` must outlive the adapter. kInvalidArgument for a
// URL or TLS setting the clients refuse.
[[nodiscard]] common::Result<std::unique_ptr<RegistryAdapter>> make_registry_adapter(
    std::string_view name, const model::RegistryEndpointSpec& spec,
    const common::http::ClientOptions& http, const common::Clock& clock);

}  // namespace groundcontrol::registry
