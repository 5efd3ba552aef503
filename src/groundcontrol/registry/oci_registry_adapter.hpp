// OciRegistryAdapter: RegistryAdapter for any OCI distribution registry (distribution,
// zot, Harbor's /v2/, a satellite) over RegistryClient: repositories from `_catalog`,
// artifacts from `tags/list` with each tag resolved by HEAD and tags of one digest merged.
// Such a registry says nothing of push times or labels, so rules on them select nothing
// here (documented in docs/registries.md).
// Thread-safety: every call from any thread.
#pragma once

#include <memory>

#include "groundcontrol/registry/registry_adapter.hpp"

namespace groundcontrol::registry {

class OciRegistryAdapter final : public RegistryAdapter {
 public:
  explicit OciRegistryAdapter(std::unique_ptr<common::oci::RegistryClient> client)
      : client_(std::move(client)) {}

  common::Status test() override { return client_->check(); }
  common::Result<std::vector<std::string>> repositories() override;
  common::Result<std::vector<RegistryArtifact>> artifacts(std::string_view repository) override;
  common::oci::RegistryClient& oci() override { return *client_; }

 private:
  std::unique_ptr<common::oci::RegistryClient> client_;
};

}  // namespace groundcontrol::registry
