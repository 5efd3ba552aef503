#include "satellite/fleet/registry_state_reader.hpp"

#include <fmt/format.h>

#include "common/crypto/cosign_signature.hpp"
#include "common/fleet_wire/state_manifest.hpp"
#include "common/oci/repository_name.hpp"

namespace satellite::fleet {
namespace {

using common::Digest;
using common::ErrorCode;
using common::fail;
using common::Result;
using common::Status;
namespace wire = common::fleet_wire;

}  // namespace

std::string_view artifact_type_of(StateKind kind) {
  switch (kind) {
    case StateKind::kGroup:
      return wire::kGroupStateArtifactType;
    case StateKind::kSatellite:
      return wire::kSatelliteStateArtifactType;
    case StateKind::kConfig:
      return wire::kConfigStateArtifactType;
  }
  return {};
}

Result<RegistryStateReader> RegistryStateReader::create(common::oci::RegistryClient& client,
                                                        const wire::TrustedKeys& trusted,
                                                        RegistryStateReaderConfig config,
                                                        std::optional<AppliedState> applied) {
  if (auto valid = common::oci::validate_repository_name(config.repository); !valid)
    return fail(valid.error());
  std::string host = config.registry_host;
  if (host.empty()) {
    auto from_url = wire::registry_host(client.endpoint().url);
    if (!from_url) return fail(from_url.error());
    host = std::move(*from_url);
  }
  auto identity = wire::state_identity(host, config.repository);
  return RegistryStateReader(client, trusted, std::move(config), std::move(identity),
                             std::move(applied));
}

Status RegistryStateReader::verify_signature(const Digest& digest) {
  const auto& repository = config_.repository;
  const auto tag = common::crypto::signature_tag(digest);
  std::vector<wire::StateSignature> signatures;
  auto fetched = client_->get_manifest(repository, tag);
  if (!fetched && fetched.error().code() != ErrorCode::kNotFound) return fail(fetched.error());
  if (fetched) {
    auto manifest = common::crypto::SignatureManifest::parse(fetched->content);
    if (!manifest)
      return fail(
          ErrorCode::kPermissionDenied,
          fmt::format("the signature artifact {} is invalid: {}", tag, manifest.error().message()));
    for (const auto& layer : manifest->layers()) {
      if (signatures.size() == config_.max_signatures) break;
      const auto signature = layer.signature();
      if (layer.media_type != common::crypto::kSimpleSigningMediaType || !signature) continue;
      auto payload =
          client_->get_blob_content(repository, layer.digest, common::crypto::kMaxPayloadBytes);
      if (!payload) return fail(payload.error());
      signatures.push_back({std::move(*payload), std::string(*signature)});
    }
  }
  return wire::verify_state_signatures(*trusted_, identity_, digest, signatures);
}

Status RegistryStateReader::check_rollback(const Digest& digest, std::uint64_t version) const {
  if (!applied_) return {};
  if (version < applied_->version)
    return fail(ErrorCode::kConflict,
                fmt::format("version {} is older than version {} already applied (rollback "
                            "refused)",
                            version, applied_->version));
  if (version == applied_->version && digest != applied_->digest)
    return fail(ErrorCode::kConflict,
                fmt::format("version {} is already applied with other content ({}): a new "
                            "state must have a higher version",
                            version, applied_->digest.str()));
  return {};
}

Result<StateDocument> RegistryStateReader::parse(const std::string& document,
                                                 std::uint64_t& version) const {
  switch (config_.kind) {
    case StateKind::kGroup: {
      auto state = wire::parse_group_state(document);
      if (!state) return fail(state.error());
      version = state->version;
      return StateDocument(std::move(*state));
    }
    case StateKind::kSatellite: {
      auto state = wire::parse_satellite_state_ref(document);
      if (!state) return fail(state.error());
      version = state->version;
      return StateDocument(std::move(*state));
    }
    case StateKind::kConfig: {
      auto state = wire::parse_config_state(document);
      if (!state) return fail(state.error());
      version = state->version;
      return StateDocument(std::move(*state));
    }
  }
  return fail(ErrorCode::kInternal, "unknown state kind");
}

Result<std::optional<RegistryStateUpdate>> RegistryStateReader::poll() {
  const auto& repository = config_.repository;
  auto head = client_->head_manifest(repository, "latest");
  if (!head)
    return fail(head.error().code(),
                fmt::format("state {}:latest: {}", repository, head.error().message()));
  const auto digest = head->digest;
  if (applied_ && applied_->digest == digest) return std::nullopt;
  // Every refusal below names the state it refuses.
  const auto refuse = [&](const common::Error& error) {
    return fail(error.code(),
                fmt::format("state {}@{} refused: {}", repository, digest.str(), error.message()),
                error.detail());
  };

  auto fetched = client_->get_manifest(repository, digest.str());
  if (!fetched) return refuse(fetched.error());
  auto manifest = wire::parse_state_manifest(fetched->content, artifact_type_of(config_.kind));
  if (!manifest) return refuse(manifest.error());
  if (auto verified = verify_signature(digest); !verified) return refuse(verified.error());
  if (auto fresh = check_rollback(digest, manifest->version); !fresh) return refuse(fresh.error());

  auto document = client_->get_blob_content(repository, manifest->document.digest,
                                            wire::kMaxStateDocumentBytes);
  if (!document) return refuse(document.error());
  std::uint64_t version = 0;
  auto parsed = parse(*document, version);
  if (!parsed) return refuse(parsed.error());
  if (version != manifest->version)
    return refuse(common::Error(
        ErrorCode::kInvalidArgument,
        fmt::format("the document says version {}, its manifest {}", version, manifest->version)));

  applied_ = AppliedState{version, digest};
  return RegistryStateUpdate{digest, version, std::move(*parsed)};
}

}  // namespace satellite::fleet
