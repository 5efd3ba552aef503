#include "common/fleet_wire/satellite_state.hpp"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "common/crypto/hasher.hpp"

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
  return {{"apiVersion", kSatelliteApiVersion},
          {"kind", "SatelliteState"},
          {"groups", state.groups},
          {"artifacts", std::move(artifacts)},
          {"conflicts", std::move(conflicts)},
          {"config", {{"name", state.config_name}, {"digest", state.config_digest}}},
          {"upstream", {{"url", state.upstream_url}}}};
}

// Reads typed fields of a JSON object, naming the path of the first that is missing or of
// the wrong type.
class FieldReader {
 public:
  FieldReader(const json& object, std::string path) : object_(object), path_(std::move(path)) {}

  Result<std::string> text(std::string_view key, bool required = true) const {
    const auto found = object_.find(key);
    if (found == object_.end() || found->is_null()) {
      if (!required) return std::string();
      return missing(key);
    }
    if (!found->is_string()) return mistyped(key, "a string");
    return found->get<std::string>();
  }
  Result<std::vector<std::string>> texts(std::string_view key) const {
    std::vector<std::string> out;
    const auto found = object_.find(key);
    if (found == object_.end() || found->is_null()) return out;
    if (!found->is_array()) return mistyped(key, "an array of strings");
    for (const auto& item : *found) {
      if (!item.is_string()) return mistyped(key, "an array of strings");
      out.push_back(item.get<std::string>());
    }
    return out;
  }
  Result<Digest> digest(std::string_view key) const {
    auto value = text(key);
    if (!value) return fail(value.error());
    auto parsed = Digest::parse(*value);
    if (!parsed)
      return fail(ErrorCode::kInvalidArgument,
                  fmt::format("{}: {}", field(key), parsed.error().message()));
    return parsed;
  }
  Result<FieldReader> object(std::string_view key) const {
    const auto found = object_.find(key);
    if (found == object_.end() || !found->is_object()) return mistyped(key, "an object");
    return FieldReader(*found, field(key));
  }
  // Each element of the array `key` (absent: none), which must be objects.
  Result<std::vector<FieldReader>> objects(std::string_view key) const {
    std::vector<FieldReader> out;
    const auto found = object_.find(key);
    if (found == object_.end() || found->is_null()) return out;
    if (!found->is_array()) return mistyped(key, "an array");
    for (std::size_t i = 0; i < found->size(); ++i) {
      const auto& item = (*found)[i];
      const auto path = fmt::format("{}[{}]", field(key), i);
      if (!item.is_object())
        return fail(ErrorCode::kInvalidArgument, fmt::format("{}: expected an object", path));
      out.emplace_back(item, path);
    }
    return out;
  }

 private:
  std::string field(std::string_view key) const {
    return path_.empty() ? std::string(key) : fmt::format("{}.{}", path_, key);
  }
  std::unexpected<Error> missing(std::string_view key) const {
    return fail(ErrorCode::kInvalidArgument, fmt::format("{}: required", field(key)));
  }
  std::unexpected<Error> mistyped(std::string_view key, std::string_view expected) const {
    return fail(ErrorCode::kInvalidArgument, fmt::format("{}: expected {}", field(key), expected));
  }
  const json& object_;
  std::string path_;
};

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
  auto state_digest = in.text("stateDigest", false);
  if (!state_digest) return fail(state_digest.error());
  state.state_digest = std::move(*state_digest);
  return state;
}

}  // namespace

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

}  // namespace common::fleet_wire
