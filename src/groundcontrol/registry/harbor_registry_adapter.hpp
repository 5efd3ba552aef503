// HarborRegistryAdapter: RegistryAdapter for Harbor (v2.0 API or newer) over its REST API
// `/api/v2.0` (HarborApiClient): repositories are those of every project the credentials
// see, named "<project>/<repository>" as `/v2/` names them; artifacts come from the
// project's artifact list with their tags, push time and labels, so group rules on push
// times and labels select here (unlike OciRegistryAdapter). oci() is a RegistryClient on
// the same URL and credentials, for pushing state artifacts through Harbor's `/v2/`.
// Thread-safety: every call from any thread; calls block (HTTP).
#pragma once

#include <memory>

#include "common/clock.hpp"
#include "groundcontrol/registry/harbor_api_client.hpp"
#include "groundcontrol/registry/registry_adapter.hpp"

namespace groundcontrol::registry {

class HarborRegistryAdapter final : public RegistryAdapter {
 public:
  HarborRegistryAdapter(std::unique_ptr<HarborApiClient> api,
                        std::unique_ptr<common::oci::RegistryClient> oci)
      : api_(std::move(api)), oci_(std::move(oci)) {}

  // Both clients on `endpoint`; `label` names it in errors. kInvalidArgument as
  // HarborApiClient::create. `clock` (the /v2/ client's token expiry) must outlive it.
  [[nodiscard]] static common::Result<std::unique_ptr<HarborRegistryAdapter>> create(
      const common::oci::RegistryEndpoint& endpoint, HarborApiClientOptions options,
      const common::Clock& clock);

  // GET /health (kUnavailable unless Harbor says "healthy"), then, with credentials, an
  // authenticated call (HEAD /projects) so that wrong ones are kPermissionDenied: Harbor
  // treats credentials it cannot verify as anonymous.
  common::Status test() override;
  // "<project>/<repository>" for every repository of every project listed, sorted.
  common::Result<std::vector<std::string>> repositories() override;
  // The tagged artifacts of "<project>/<repository>", sorted by digest; untagged ones are
  // skipped. media_type is the manifest's. kNotFound for an unknown project or repository
  // or a name without a project; kUnavailable for an artifact without a valid digest.
  common::Result<std::vector<RegistryArtifact>> artifacts(std::string_view repository) override;
  common::oci::RegistryClient& oci() override { return *oci_; }

  HarborApiClient& api() { return *api_; }

 private:
  std::unique_ptr<HarborApiClient> api_;
  std::unique_ptr<common::oci::RegistryClient> oci_;
};

}  // namespace groundcontrol::registry
