#include "common/fleet_wire/state_artifact.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "common/fleet_wire/field_reader.hpp"
#include "common/fleet_wire/satellite_state.hpp"
#include "common/oci/repository_name.hpp"

namespace common::fleet_wire {
namespace {

using nlohmann::json;

constexpr std::string_view kGroupKind = "GroupState";
constexpr std::string_view kSatelliteKind = "SatelliteState";
constexpr std::string_view kConfigKind = "ConfigState";

std::unexpected<Error> invalid(std::string_view field, std::string_view why) {
  return fail(ErrorCode::kInvalidArgument, fmt::format("{}: {}", field, why));
}

json header(std::string_view kind, std::uint64_t version) {
  return {{"apiVersion", kSatelliteApiVersion}, {"kind", kind}, {"version", version}};
}

std::vector<std::string> sorted_unique(std::vector<std::string> items) {
  std::sort(items.begin(), items.end());
  items.erase(std::unique(items.begin(), items.end()), items.end());
  return items;
}

std::string seconds(std::chrono::seconds value) {
  return fmt::format("{}s", value.count());
}

// The config document as parse_satellite_config() reads it, without the credentials.
json config_document(const SatelliteConfig& config) {
  json upstream = {{"url", config.upstream_url}, {"insecure", config.upstream_insecure}};
  json spec = {
      {"statePollInterval", seconds(config.state_poll_interval)},
      {"heartbeatInterval", seconds(config.heartbeat_interval)},
      {"upstream", std::move(upstream)},
      {"proxy",
       {{"enabled", config.proxy_enabled}, {"allowedRepositories", config.proxy_repositories}}},
      {"runtimes", config.runtimes},
      {"bandwidthLimit", config.bandwidth_limit},
      {"syncWindow", config.sync_window},
      {"gcGrace", seconds(config.gc_grace)},
      {"logLevel", config.log_level},
      {"registry", {{"serverNames", config.registry_server_names}}}};
  return {{"name", config.name}, {"digest", config.digest}, {"spec", std::move(spec)}};
}

// The document as an object of `kind`, its header checked; the version read into `version`.
Result<json> open_document(std::string_view text, std::string_view kind, std::uint64_t& version) {
  if (text.size() > kMaxStateDocumentBytes)
    return invalid(kind, fmt::format("larger than {} bytes", kMaxStateDocumentBytes));
  auto document = json::parse(text, nullptr, false);
  if (document.is_discarded() || !document.is_object()) return invalid(kind, "not a JSON object");
  const FieldReader in(document, "");
  auto api_version = in.text("apiVersion");
  if (!api_version) return fail(api_version.error());
  if (*api_version != kSatelliteApiVersion)
    return invalid("apiVersion",
                   fmt::format("\"{}\" is not {}", *api_version, kSatelliteApiVersion));
  auto found_kind = in.text("kind");
  if (!found_kind) return fail(found_kind.error());
  if (*found_kind != kind)
    return invalid("kind", fmt::format("\"{}\" is not {}", *found_kind, kind));
  auto found_version = in.count("version");
  if (!found_version) return fail(found_version.error());
  if (*found_version < 1) return invalid("version", "required, 1 or more");
  version = static_cast<std::uint64_t>(*found_version);
  return document;
}

// `field` (a repository path) when it is a valid repository name.
Result<std::string> repository(const FieldReader& in, std::string_view key) {
  auto path = in.text(key);
  if (!path) return fail(path.error());
  if (auto valid = oci::validate_repository_name(*path); !valid)
    return invalid(in.field(key), valid.error().message());
  return path;
}

Result<GroupStateArtifact> read_group_artifact(const FieldReader& in) {
  auto path = repository(in, "repository");
  if (!path) return fail(path.error());
  auto digest = in.digest("digest");
  if (!digest) return fail(digest.error());
  auto tags = in.texts("tags");
  if (!tags) return fail(tags.error());
  for (const auto& tag : *tags) {
    if (!oci::is_valid_tag(tag))
      return invalid(in.field("tags"), fmt::format("\"{}\" is not a valid tag", tag));
  }
  auto type = in.text("type", false);
  if (!type) return fail(type.error());
  return GroupStateArtifact{std::move(*path), std::move(*digest), std::move(*tags),
                            type->empty() ? "IMAGE" : std::move(*type)};
}

}  // namespace

std::string group_state_repository(std::string_view project, std::string_view group) {
  return fmt::format("{}/group-state/{}/state", project, group);
}
std::string satellite_state_repository(std::string_view project, std::string_view satellite) {
  return fmt::format("{}/satellite-state/{}/state", project, satellite);
}
std::string config_state_repository(std::string_view project, std::string_view config) {
  return fmt::format("{}/config-state/{}/state", project, config);
}

std::string to_json(const GroupState& state) {
  auto artifacts = state.artifacts;
  std::sort(artifacts.begin(), artifacts.end(), [](const auto& a, const auto& b) {
    return std::tie(a.repository, a.digest) < std::tie(b.repository, b.digest);
  });
  json items = json::array();
  for (const auto& a : artifacts) {
    items.push_back({{"repository", a.repository},
                     {"digest", a.digest.str()},
                     {"tags", sorted_unique(a.tags)},
                     {"type", a.type}});
  }
  auto document = header(kGroupKind, state.version);
  document["group"] = state.group;
  document["artifacts"] = std::move(items);
  if (state.signature_policy && state.signature_policy->mode != SignatureMode::kOff)
    document["signaturePolicy"] = signature_policy_json(*state.signature_policy);
  return document.dump();
}

std::string to_json(const SatelliteStateRef& state) {
  auto groups = state.groups;
  std::sort(groups.begin(), groups.end(),
            [](const auto& a, const auto& b) { return a.name < b.name; });
  json items = json::array();
  for (const auto& g : groups) items.push_back({{"name", g.name}, {"state", g.repository}});
  auto document = header(kSatelliteKind, state.version);
  document["satellite"] = state.satellite;
  document["groups"] = std::move(items);
  document["config"] = nullptr;
  if (!state.config_name.empty()) {
    document["config"] = {{"name", state.config_name},
                          {"state", state.config_repository},
                          {"digest", state.config_digest}};
  }
  return document.dump();
}

std::string to_json(const ConfigState& state) {
  auto document = header(kConfigKind, state.version);
  document.update(config_document(state.config));
  return document.dump();
}

Result<GroupState> parse_group_state(std::string_view text) {
  GroupState state;
  auto document = open_document(text, kGroupKind, state.version);
  if (!document) return fail(document.error());
  const FieldReader in(*document, "");
  auto group = in.text("group");
  if (!group) return fail(group.error());
  state.group = std::move(*group);
  auto artifacts = in.objects("artifacts");
  if (!artifacts) return fail(artifacts.error());
  for (const auto& item : *artifacts) {
    auto artifact = read_group_artifact(item);
    if (!artifact) return fail(artifact.error());
    state.artifacts.push_back(std::move(*artifact));
  }
  if (const auto policy = document->find("signaturePolicy");
      policy != document->end() && !policy->is_null()) {
    auto read = read_signature_policy(*policy, "signaturePolicy");
    if (!read) return fail(read.error());
    state.signature_policy = std::move(*read);
  }
  return state;
}

Result<SatelliteStateRef> parse_satellite_state_ref(std::string_view text) {
  SatelliteStateRef state;
  auto document = open_document(text, kSatelliteKind, state.version);
  if (!document) return fail(document.error());
  const FieldReader in(*document, "");
  auto satellite = in.text("satellite");
  if (!satellite) return fail(satellite.error());
  state.satellite = std::move(*satellite);
  auto groups = in.objects("groups");
  if (!groups) return fail(groups.error());
  for (const auto& item : *groups) {
    auto name = item.text("name");
    if (!name) return fail(name.error());
    auto path = repository(item, "state");
    if (!path) return fail(path.error());
    state.groups.push_back({std::move(*name), std::move(*path)});
  }
  const auto config = document->find("config");
  if (config == document->end() || config->is_null()) return state;
  auto reader = in.object("config");
  if (!reader) return fail(reader.error());
  auto name = reader->text("name");
  if (!name) return fail(name.error());
  auto path = repository(*reader, "state");
  if (!path) return fail(path.error());
  auto digest = reader->digest("digest");
  if (!digest) return fail(digest.error());
  state.config_name = std::move(*name);
  state.config_repository = std::move(*path);
  state.config_digest = digest->str();
  return state;
}

Result<ConfigState> parse_config_state(std::string_view text) {
  ConfigState state;
  auto document = open_document(text, kConfigKind, state.version);
  if (!document) return fail(document.error());
  if (const auto spec = document->find("spec"); spec != document->end() && spec->is_object()) {
    const auto upstream = spec->find("upstream");
    for (const auto* key : {"username", "password"}) {
      if (upstream == spec->end() || !upstream->is_object()) break;
      if (const auto found = upstream->find(key); found != upstream->end() && !found->is_null())
        return invalid(fmt::format("spec.upstream.{}", key),
                       "a config state carries no credentials (state artifacts are readable "
                       "by every satellite of the project)");
    }
  }
  auto config = parse_satellite_config(text);
  if (!config) return fail(config.error());
  if (config->name.empty()) return invalid("name", "required");
  if (!Digest::parse(config->digest)) return invalid("digest", "required, a valid digest");
  state.config = std::move(*config);
  return state;
}

}  // namespace common::fleet_wire
