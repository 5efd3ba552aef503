#include "groundcontrol/registry/state_publisher.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>

#include "common/crypto/cosign_signature.hpp"
#include "common/crypto/hasher.hpp"
#include "common/fleet_wire/state_signature.hpp"
#include "common/oci/media_types.hpp"
#include "common/oci/repository_name.hpp"

namespace groundcontrol::registry {
namespace {

using common::Digest;
using common::ErrorCode;
using common::fail;
using common::Result;
using common::Status;
using common::fleet_wire::RenderedState;

// `error` with "<step> of <repository>: " before its message; code and detail kept.
common::Error in_step(const common::Error& error, std::string_view step,
                      std::string_view repository) {
  return {error.code(), fmt::format("{} of state {}: {}", step, repository, error.message()),
          error.detail()};
}

// The versions tagged v<N> in `repository`, ascending; none when it does not exist yet.
Result<std::vector<std::uint64_t>> versions_in(common::oci::RegistryClient& client,
                                               std::string_view repository) {
  auto tags = client.list_tags(repository);
  if (!tags && tags.error().code() == ErrorCode::kNotFound) return std::vector<std::uint64_t>{};
  if (!tags) return fail(tags.error());
  std::vector<std::uint64_t> out;
  for (const auto& tag : *tags) {
    if (auto version = version_of_tag(tag)) out.push_back(*version);
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

std::string version_tag(std::uint64_t version) {
  return fmt::format("v{}", version);
}

std::optional<std::uint64_t> version_of_tag(std::string_view tag) {
  if (tag.size() < 2 || tag.front() != 'v' || tag[1] == '0') return std::nullopt;
  std::uint64_t version = 0;
  const auto* end = tag.data() + tag.size();
  const auto [stop, error] = std::from_chars(tag.data() + 1, end, version);
  if (error != std::errc() || stop != end) return std::nullopt;
  return version;
}

Result<StatePublisher> StatePublisher::create(common::oci::RegistryClient& client,
                                              const common::crypto::CosignKey& key,
                                              StatePublisherConfig config) {
  if (config.keep_versions == 0)
    return fail(ErrorCode::kInvalidArgument, "state publisher: keep_versions must be 1 or more");
  std::string host = config.registry_host;
  if (host.empty()) {
    auto from_url = common::fleet_wire::registry_host(client.endpoint().url);
    if (!from_url) return fail(from_url.error());
    host = std::move(*from_url);
  }
  return StatePublisher(client, key, std::move(config), std::move(host));
}

Status StatePublisher::check_version(std::string_view repository, const RenderedState& state,
                                     const std::vector<std::uint64_t>& versions) {
  if (versions.empty() || versions.back() < state.version) return {};
  const auto newest = versions.back();
  if (newest > state.version)
    return fail(ErrorCode::kConflict,
                fmt::format("state {}: version {} is older than v{} already published there "
                            "(versions only grow)",
                            repository, state.version, newest));
  auto there = client_->resolve_tag(repository, version_tag(newest));
  if (!there) return fail(in_step(there.error(), "reading v" + std::to_string(newest), repository));
  if (*there != state.manifest_digest)
    return fail(ErrorCode::kConflict,
                fmt::format("state {}: version {} is already published with other content ({}, "
                            "not {})",
                            repository, state.version, there->str(), state.manifest_digest.str()));
  return {};
}

Result<bool> StatePublisher::sign(std::string_view repository, const Digest& digest) {
  const auto identity = common::fleet_wire::state_identity(host_, repository);
  const auto tag = common::crypto::signature_tag(digest);
  common::crypto::SignatureManifest signatures;
  auto existing = client_->get_manifest(repository, tag);
  if (existing) {
    auto parsed = common::crypto::SignatureManifest::parse(existing->content);
    if (!parsed) return fail(in_step(parsed.error(), "reading the signatures " + tag, repository));
    signatures = std::move(*parsed);
  } else if (existing.error().code() != ErrorCode::kNotFound) {
    return fail(in_step(existing.error(), "reading the signatures " + tag, repository));
  }
  auto payload = common::crypto::simple_signing_payload(identity, digest);
  if (!payload) return fail(payload.error());
  auto public_key = key_->public_key();
  if (!public_key) return fail(public_key.error());
  const auto payload_digest = common::crypto::digest_of(*payload);
  for (const auto& layer : signatures.layers()) {
    const auto signature = layer.signature();
    if (layer.digest == payload_digest && signature &&
        common::crypto::verify_signature(*public_key, *payload, *signature))
      return false;
  }
  auto signed_state = common::fleet_wire::sign_state(*key_, identity, digest);
  if (!signed_state) return fail(signed_state.error());
  signatures.append(common::crypto::SignatureLayer::of(signed_state->payload,
                                                       std::move(signed_state->signature)));
  const auto config = signatures.config_json();
  const std::string& signed_payload = signed_state->payload;
  for (const std::string* blob : {&signed_payload, &config}) {
    if (auto pushed = client_->push_blob(repository, common::crypto::digest_of(*blob), *blob);
        !pushed)
      return fail(in_step(pushed.error(), "pushing the signature", repository));
  }
  auto pushed = client_->push_manifest(repository, tag, common::oci::media_type::kOciManifest,
                                       signatures.manifest_json());
  if (!pushed) return fail(in_step(pushed.error(), "pushing the signature " + tag, repository));
  return true;
}

Result<PublishedState> StatePublisher::publish(std::string_view repository,
                                               const RenderedState& state) {
  if (auto valid = common::oci::validate_repository_name(repository); !valid)
    return fail(valid.error());
  if (state.version < 1)
    return fail(ErrorCode::kInvalidArgument,
                fmt::format("state {}: version 0; versions start at 1", repository));
  auto versions = versions_in(*client_, repository);
  if (!versions) return fail(in_step(versions.error(), "listing the versions", repository));
  if (auto checked = check_version(repository, state, *versions); !checked)
    return fail(checked.error());

  const std::string empty(common::fleet_wire::kEmptyJson);
  for (const std::string* blob : {&empty, &state.document}) {
    if (auto pushed = client_->push_blob(repository, common::crypto::digest_of(*blob), *blob);
        !pushed)
      return fail(in_step(pushed.error(), "pushing the document", repository));
  }
  const auto tag = version_tag(state.version);
  auto pushed = client_->push_manifest(repository, tag, common::oci::media_type::kOciManifest,
                                       state.manifest);
  if (!pushed) return fail(in_step(pushed.error(), "pushing " + tag, repository));
  if (*pushed != state.manifest_digest)
    return fail(ErrorCode::kUnavailable,
                fmt::format("state {}: the registry stored {} as {}, not {}", repository, tag,
                            pushed->str(), state.manifest_digest.str()));

  auto signed_now = sign(repository, state.manifest_digest);
  if (!signed_now) return fail(signed_now.error());
  auto latest = client_->push_manifest(repository, "latest", common::oci::media_type::kOciManifest,
                                       state.manifest);
  if (!latest) return fail(in_step(latest.error(), "pushing latest", repository));

  PublishedState out{
      std::string(repository), state.manifest_digest, state.version, *signed_now, {}, {}};
  if (versions->empty() || versions->back() != state.version) versions->push_back(state.version);
  prune(repository, std::move(*versions), out);
  return out;
}

Result<std::size_t> StatePublisher::retire(std::string_view repository) {
  auto tags = client_->list_tags(repository);
  if (!tags && tags.error().code() == ErrorCode::kNotFound) return std::size_t{0};
  if (!tags) return fail(in_step(tags.error(), "listing the tags", repository));
  std::vector<std::string> ours;
  for (const auto& tag : *tags) {
    if (tag == "latest")
      ours.insert(ours.begin(), tag);  // first: no stale `latest` left
    else if (version_of_tag(tag) || (tag.starts_with("sha256-") && tag.ends_with(".sig")))
      ours.push_back(tag);
  }
  std::size_t deleted = 0;
  std::vector<Digest> gone;  // a manifest deleted under one tag takes its other tags with it
  for (const auto& tag : ours) {
    auto digest = client_->resolve_tag(repository, tag);
    if (!digest && digest.error().code() == ErrorCode::kNotFound) continue;
    if (!digest) return fail(in_step(digest.error(), "resolving " + tag, repository));
    if (std::find(gone.begin(), gone.end(), *digest) != gone.end()) continue;
    auto removed = client_->delete_manifest(repository, *digest);
    if (!removed && removed.error().code() != ErrorCode::kNotFound)
      return fail(in_step(removed.error(), "deleting " + tag, repository));
    gone.push_back(*digest);
    if (removed) ++deleted;
  }
  return deleted;
}

void StatePublisher::prune(std::string_view repository, std::vector<std::uint64_t> versions,
                           PublishedState& out) {
  if (versions.size() <= config_.keep_versions) return;
  versions.resize(versions.size() - config_.keep_versions);  // the oldest, ascending
  for (const auto version : versions) {
    const auto tag = version_tag(version);
    auto digest = client_->resolve_tag(repository, tag);
    if (!digest) {
      if (digest.error().code() == ErrorCode::kNotFound) continue;  // gone meanwhile
      out.warnings.push_back(
          fmt::format("state {}: {} not pruned: {}", repository, tag, digest.error().message()));
      continue;
    }
    if (*digest == out.manifest_digest) continue;  // never the state just published
    auto deleted = client_->delete_manifest(repository, *digest);
    if (!deleted && deleted.error().code() == ErrorCode::kUnsupported) {
      out.warnings.push_back(fmt::format(
          "state {}: the registry does not allow deletes, so the {} versions beyond the {} "
          "kept stay (distribution: set storage.delete.enabled): {}",
          repository, versions.size(), config_.keep_versions, deleted.error().message()));
      return;
    }
    if (!deleted && deleted.error().code() != ErrorCode::kNotFound) {
      out.warnings.push_back(
          fmt::format("state {}: {} not pruned: {}", repository, tag, deleted.error().message()));
      continue;
    }
    out.pruned.push_back(version);
    auto signature = client_->resolve_tag(repository, common::crypto::signature_tag(*digest));
    if (!signature) {
      if (signature.error().code() != ErrorCode::kNotFound)
        out.warnings.push_back(fmt::format("state {}: the signature of {} not pruned: {}",
                                           repository, tag, signature.error().message()));
      continue;
    }
    if (auto gone = client_->delete_manifest(repository, *signature);
        !gone && gone.error().code() != ErrorCode::kNotFound)
      out.warnings.push_back(fmt::format("state {}: the signature of {} not pruned: {}", repository,
                                         tag, gone.error().message()));
  }
}

}  // namespace groundcontrol::registry
