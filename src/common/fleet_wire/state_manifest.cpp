#include "common/fleet_wire/state_manifest.hpp"

#include <fmt/format.h>

#include <charconv>
#include <nlohmann/json.hpp>

#include "common/crypto/hasher.hpp"
#include "common/oci/media_types.hpp"

namespace common::fleet_wire {
namespace {

using nlohmann::json;

std::unexpected<Error> invalid(std::string_view why) {
  return fail(ErrorCode::kInvalidArgument, fmt::format("state manifest: {}", why));
}

json descriptor(std::string_view media_type, const Digest& digest, std::size_t size) {
  return {{"mediaType", media_type}, {"digest", digest.str()}, {"size", size}};
}

}  // namespace

RenderedState render_state(std::string_view artifact_type, std::uint64_t version,
                           std::string document) {
  const auto document_digest = crypto::digest_of(document);
  auto layer = descriptor(artifact_type, document_digest, document.size());
  layer["annotations"] = {{"org.opencontainers.image.title", kStateDocumentTitle}};
  const json manifest = {
      {"schemaVersion", 2},
      {"mediaType", oci::media_type::kOciManifest},
      {"artifactType", artifact_type},
      {"config", descriptor(kEmptyJsonMediaType, crypto::digest_of(kEmptyJson), kEmptyJson.size())},
      {"layers", json::array({std::move(layer)})},
      {"annotations", {{kStateVersionAnnotation, std::to_string(version)}}}};
  auto text = manifest.dump();
  auto manifest_digest = crypto::digest_of(text);
  return RenderedState{
      std::string(artifact_type), version, std::move(document), document_digest, std::move(text),
      std::move(manifest_digest)};
}

RenderedState render_state(const GroupState& state) {
  return render_state(kGroupStateArtifactType, state.version, to_json(state));
}
RenderedState render_state(const SatelliteStateRef& state) {
  return render_state(kSatelliteStateArtifactType, state.version, to_json(state));
}
RenderedState render_state(const ConfigState& state) {
  return render_state(kConfigStateArtifactType, state.version, to_json(state));
}

Result<StateManifest> parse_state_manifest(std::string_view manifest_json,
                                           std::string_view artifact_type) {
  auto manifest = oci::parse_manifest(manifest_json, oci::media_type::kOciManifest);
  if (!manifest) return invalid(manifest.error().message());
  if (manifest->is_index) return invalid("an index, not an image manifest");
  if (manifest->artifact_type != artifact_type)
    return invalid(
        fmt::format("artifactType \"{}\" is not {}", manifest->artifact_type, artifact_type));
  if (!manifest->config || manifest->config->media_type != kEmptyJsonMediaType ||
      manifest->config->digest != crypto::digest_of(kEmptyJson))
    return invalid(
        fmt::format("the config is not the empty descriptor ({} {{}})", kEmptyJsonMediaType));
  if (manifest->layers.size() != 1)
    return invalid(fmt::format("{} layers, not the one state document", manifest->layers.size()));
  const auto& layer = manifest->layers.front();
  if (layer.media_type != artifact_type)
    return invalid(
        fmt::format("the layer's media type \"{}\" is not {}", layer.media_type, artifact_type));
  if (layer.size < 0 || static_cast<std::uint64_t>(layer.size) > kMaxStateDocumentBytes)
    return invalid(fmt::format("the document is larger than {} bytes", kMaxStateDocumentBytes));
  const auto annotation = manifest->annotations.find(std::string(kStateVersionAnnotation));
  if (annotation == manifest->annotations.end())
    return invalid(fmt::format("no {} annotation", kStateVersionAnnotation));
  const auto& text = annotation->second;
  std::uint64_t version = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), version);
  if (error != std::errc() || end != text.data() + text.size() || version < 1)
    return invalid(
        fmt::format("{} \"{}\" is not a version of 1 or more", kStateVersionAnnotation, text));
  return StateManifest{manifest->artifact_type, version, layer};
}

}  // namespace common::fleet_wire
