// RegistryEndpoint: a central registry that ground control reads from (group rules) and
// publishes state artifacts into: its URL, its type (any OCI distribution registry, or
// Harbor, whose /api/v2.0 adds projects, labels, push times and robot accounts), the
// credentials ground control uses there, and how to trust its TLS certificate. The password
// is write-only, as a SatelliteConfig's: a request may set it ("" removes it), a response
// only says whether one is set; the service seals it at rest. Plain value type and its
// JSON codec.
#pragma once

#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.hpp"

namespace groundcontrol::model {

enum class RegistryType { kOci, kHarbor };

std::string_view name_of(RegistryType type) noexcept;

// Largest inline CA bundle accepted (a chain of a few certificates is a few KiB).
inline constexpr std::size_t kMaxCaBundleBytes = 64 * 1024;

struct RegistryEndpointSpec {
  std::string url;  // "https://harbor.example" (http:// only when named so)
  RegistryType type = RegistryType::kOci;
  std::string username;                 // empty: anonymous
  std::optional<std::string> password;  // only in requests; never in responses
  bool password_set = false;            // in responses
  // Grows with every change of the password (server-kept, ignored in requests).
  std::int64_t credentials_generation = 0;
  std::string ca_bundle;  // PEM certificates to trust; empty: the system store
  bool insecure_skip_verify = false;
};

// Reads `spec` of a RegistryEndpoint: url (required), type ("oci", the default, or
// "harbor"), credentials {username, password}, tls {caBundle, insecureSkipVerify}.
// kInvalidArgument naming the field, for unknown fields too.
[[nodiscard]] common::Result<RegistryEndpointSpec> parse_registry_endpoint_spec(
    const nlohmann::json* value);
// The spec as responses show it (no password, passwordSet instead).
nlohmann::json to_json(const RegistryEndpointSpec& spec);

}  // namespace groundcontrol::model
