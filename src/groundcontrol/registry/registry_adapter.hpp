// RegistryAdapter: what ground control needs from a central registry, one implementation
// per registry type (model::RegistryType): a connection test, the repositories it holds,
// and the artifacts of a repository with what group rules select on (tags, push time,
// labels). Pushing state artifacts goes through oci(), the registry's /v2/ API, which
// every type has. Implementations: OciRegistryAdapter (any distribution registry; no push
// times or labels), HarborRegistryAdapter (Harbor's /api/v2.0).
// Calls block (HTTP); call them from a blocking pool. Thread-safety: every call from any
// thread.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/digest.hpp"
#include "common/oci/registry_client.hpp"
#include "common/result.hpp"

namespace groundcontrol::registry {

struct RegistryArtifact {
  std::string repository;  // "library/app": as /v2/ names it (Harbor: "<project>/<repo>")
  common::Digest digest;
  std::vector<std::string> tags;  // sorted
  std::string media_type;         // empty when the registry does not say
  // When the artifact was pushed; nullopt from a registry that does not say (plain OCI).
  std::optional<std::chrono::system_clock::time_point> push_time;
  std::vector<std::string> labels;  // Harbor labels, sorted; none elsewhere
};

class RegistryAdapter {
 public:
  virtual ~RegistryAdapter() = default;

  // Reaches the registry with the endpoint's credentials. kPermissionDenied for refused
  // credentials, kUnavailable for an unreachable registry or one that does not answer as
  // the type promises; the message says which.
  [[nodiscard]] virtual common::Status test() = 0;
  // Every repository the credentials can see, sorted. kUnsupported when the registry does
  // not list them (a distribution registry without the catalog).
  [[nodiscard]] virtual common::Result<std::vector<std::string>> repositories() = 0;
  // The tagged artifacts of `repository`, one per digest, sorted by digest. kNotFound for
  // an unknown repository.
  [[nodiscard]] virtual common::Result<std::vector<RegistryArtifact>> artifacts(
      std::string_view repository) = 0;
  // The registry's /v2/ API with the endpoint's credentials.
  virtual common::oci::RegistryClient& oci() = 0;
};

}  // namespace groundcontrol::registry
