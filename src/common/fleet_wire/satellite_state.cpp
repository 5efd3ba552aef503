#include "common/fleet_wire/satellite_state.hpp"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "common/crypto/cosign_key.hpp"
#include "common/crypto/hasher.hpp"
#include "common/fleet_wire/field_reader.hpp"

namespace common::fleet_wire {
namespace {

using nlohmann::json;

json content_of(const SatelliteState& state) {
  json artifacts = json::array();
  for (const auto& a : state.artifacts) {
    artifacts.push_back({{"repository", a.repository},
                         {"digest", a.digest.str()},
                         {"tags", a.tags},
                         {"type", a.type},
                         {"groups", a.groups}});
  }
  json conflicts = json::array();
  for (const auto& c : state.conflicts) {
    json digests = json::array();
    for (const auto& d : c.digests) digests.push_back(d.str());
    conflicts.push_back({{"repository", c.repository}, {"tag", c.tag}, {"digests", digests}});
  }
  json content = {{"apiVersion", kSatelliteApiVersion},
                  {"kind", "SatelliteState"},
                  {"groups", state.groups},
                  {"artifacts", std::move(artifacts)},
                  {"conflicts", std::move(conflicts)},
                  {"config", {{"name", state.config_name}, {"digest", state.config_digest}}},
                  {"upstream", {{"url", state.upstream_url}}}};
  // Only when set, so that the digests of states without it stay what they were.
  if (!state.state_registry.url.empty()) {
    content["stateRegistry"] = state_registry_json(state.state_registry);
  }
  if (!state.signature_policies.empty()) {
    json policies = json::object();
    for (const auto& [group, policy] : state.signature_policies) {
      policies[group] = signature_policy_json(policy);
    }
    content["signaturePolicies"] = std::move(policies);
  }
  return content;
}

Result<SignaturePolicies> read_policies(const json& document) {
  SignaturePolicies out;
  const auto found = document.find("signaturePolicies");
  if (found == document.end() || found->is_null()) return out;
  if (!found->is_object()) {
    return fail(ErrorCode::kInvalidArgument, "signaturePolicies: expected an object");
  }
  for (const auto& [group, value] : found->items()) {
    const auto path = fmt::format("signaturePolicies.{}", group);
    if (!value.is_object()) {
      return fail(ErrorCode::kInvalidArgument, fmt::format("{}: expected an object", path));
    }
    auto policy = read_signature_policy(value, path);
    if (!policy) return fail(policy.error());
    out.emplace(group, std::move(*policy));
  }
  return out;
}

Result<StateArtifact> read_artifact(const FieldReader& in) {
  auto repository = in.text("repository");
  if (!repository) return fail(repository.error());
  auto digest = in.digest("digest");
  if (!digest) return fail(digest.error());
  auto tags = in.texts("tags");
  if (!tags) return fail(tags.error());
  auto type = in.text("type", false);
  if (!type) return fail(type.error());
  auto groups = in.texts("groups");
  if (!groups) return fail(groups.error());
  return StateArtifact{std::move(*repository), std::move(*digest), std::move(*tags),
                       std::move(*type), std::move(*groups)};
}

Result<TagConflict> read_conflict(const FieldReader& in) {
  auto repository = in.text("repository");
  if (!repository) return fail(repository.error());
  auto tag = in.text("tag");
  if (!tag) return fail(tag.error());
  auto digests = in.texts("digests");
  if (!digests) return fail(digests.error());
  TagConflict conflict{std::move(*repository), std::move(*tag), {}};
  for (const auto& text : *digests) {
    auto digest = Digest::parse(text);
    if (!digest) return fail(ErrorCode::kInvalidArgument, "conflicts: invalid digest");
    conflict.digests.push_back(std::move(*digest));
  }
  return conflict;
}

Result<SatelliteState> read_state(const json& document) {
  if (!document.is_object())
    return fail(ErrorCode::kInvalidArgument, "satellite state: expected a JSON object");
  const FieldReader in(document, "");
  auto api_version = in.text("apiVersion");
  if (!api_version) return fail(api_version.error());
  if (*api_version != kSatelliteApiVersion)
    return fail(ErrorCode::kInvalidArgument,
                fmt::format("apiVersion: \"{}\" is not {}", *api_version, kSatelliteApiVersion));
  SatelliteState state;
  auto satellite = in.text("satellite", false);
  if (!satellite) return fail(satellite.error());
  state.satellite = std::move(*satellite);
  auto groups = in.texts("groups");
  if (!groups) return fail(groups.error());
  state.groups = std::move(*groups);
  auto artifacts = in.objects("artifacts");
  if (!artifacts) return fail(artifacts.error());
  for (const auto& item : *artifacts) {
    auto artifact = read_artifact(item);
    if (!artifact) return fail(artifact.error());
    state.artifacts.push_back(std::move(*artifact));
  }
  auto conflicts = in.objects("conflicts");
  if (!conflicts) return fail(conflicts.error());
  for (const auto& item : *conflicts) {
    auto conflict = read_conflict(item);
    if (!conflict) return fail(conflict.error());
    state.conflicts.push_back(std::move(*conflict));
  }
  if (auto config = in.object("config")) {
    auto name = config->text("name", false);
    auto digest = config->text("digest", false);
    if (!name || !digest) return fail(!name ? name.error() : digest.error());
    state.config_name = std::move(*name);
    state.config_digest = std::move(*digest);
  }
  if (auto upstream = in.object("upstream")) {
    auto url = upstream->text("url", false);
    if (!url) return fail(url.error());
    state.upstream_url = std::move(*url);
  }
  if (auto registry = document.find("stateRegistry");
      registry != document.end() && registry->is_object()) {
    auto read = read_state_registry(*registry);
    if (!read) return fail(read.error());
    state.state_registry = std::move(*read);
  }
  auto policies = read_policies(document);
  if (!policies) return fail(policies.error());
  state.signature_policies = std::move(*policies);
  auto state_digest = in.text("stateDigest", false);
  if (!state_digest) return fail(state_digest.error());
  state.state_digest = std::move(*state_digest);
  return state;
}

}  // namespace

nlohmann::json state_registry_json(const StateRegistry& registry) {
  return {
      {"url", registry.url}, {"project", registry.project}, {"trustedKeys", registry.trusted_keys}};
}

Result<StateRegistry> read_state_registry(const nlohmann::json& value) {
  if (!value.is_object())
    return fail(ErrorCode::kInvalidArgument, "stateRegistry: expected an object");
  const FieldReader in(value, "stateRegistry");
  auto url = in.text("url");
  if (!url) return fail(url.error());
  auto project = in.text("project");
  if (!project) return fail(project.error());
  auto keys = in.texts("trustedKeys");
  if (!keys) return fail(keys.error());
  return StateRegistry{std::move(*url), std::move(*project), std::move(*keys)};
}

std::string canonical_content(const SatelliteState& state) {
  return content_of(state).dump();
}

void seal(SatelliteState& state) {
  state.state_digest = crypto::digest_of(canonical_content(state)).str();
}

std::string to_json(const SatelliteState& state) {
  return to_json(state, state.satellite);
}

std::string to_json(const SatelliteState& state, std::string_view satellite) {
  auto document = content_of(state);
  document["satellite"] = satellite;
  document["stateDigest"] = state.state_digest;
  return document.dump();
}

Result<SatelliteState> parse_satellite_state(std::string_view text) {
  auto document = json::parse(text, nullptr, false);
  if (document.is_discarded())
    return fail(ErrorCode::kInvalidArgument, "satellite state: not a JSON document");
  return read_state(document);
}

SignaturePolicy signature_policy_of(const SatelliteState& state, const StateArtifact& artifact) {
  return effective_signature_policy(state.signature_policies, artifact.groups);
}

}  // namespace common::fleet_wire
