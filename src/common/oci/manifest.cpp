#include "common/oci/manifest.hpp"

#include <nlohmann/json.hpp>

#include "common/oci/media_types.hpp"

namespace common::oci {
namespace {

using nlohmann::json;

std::unexpected<Error> invalid(std::string why) {
  return fail(ErrorCode::kManifestInvalid, "manifest invalid", std::move(why));
}

std::string_view strip_parameters(std::string_view content_type) {
  const auto semi = content_type.find(';');
  auto base = content_type.substr(0, semi);
  while (!base.empty() && base.back() == ' ') base.remove_suffix(1);
  return base;
}

Result<std::map<std::string, std::string>> parse_annotations(const json& object,
                                                             std::string_view where) {
  std::map<std::string, std::string> out;
  const auto it = object.find("annotations");
  if (it == object.end() || it->is_null()) return out;
  if (!it->is_object()) return invalid(std::string(where) + ": annotations must be an object");
  for (const auto& [key, value] : it->items()) {
    if (!value.is_string())
      return invalid(std::string(where) + ": annotation values must be strings");
    out.emplace(key, value.get<std::string>());
  }
  return out;
}

Result<Descriptor> parse_descriptor(const json& object, std::string_view where) {
  if (!object.is_object()) return invalid(std::string(where) + ": descriptor must be an object");
  const auto media_type = object.find("mediaType");
  const auto digest = object.find("digest");
  const auto size = object.find("size");
  if (media_type == object.end() || !media_type->is_string()) {
    return invalid(std::string(where) + ": descriptor mediaType missing");
  }
  if (digest == object.end() || !digest->is_string()) {
    return invalid(std::string(where) + ": descriptor digest missing");
  }
  if (size == object.end() || !size->is_number_integer() || size->get<std::int64_t>() < 0) {
    return invalid(std::string(where) + ": descriptor size must be a non-negative integer");
  }
  auto parsed_digest = Digest::parse(digest->get<std::string>());
  if (!parsed_digest) return invalid(std::string(where) + ": " + parsed_digest.error().message());
  auto annotations = parse_annotations(object, where);
  if (!annotations) return fail(annotations.error());
  Descriptor out{media_type->get<std::string>(),
                 std::move(*parsed_digest),
                 size->get<std::int64_t>(),
                 {},
                 std::move(*annotations)};
  if (const auto at = object.find("artifactType"); at != object.end() && at->is_string()) {
    out.artifact_type = at->get<std::string>();
  }
  return out;
}

Result<std::vector<Descriptor>> parse_descriptor_list(const json& doc, const char* field,
                                                      bool required) {
  std::vector<Descriptor> out;
  const auto it = doc.find(field);
  if (it == doc.end()) {
    if (required) return invalid(std::string(field) + " missing");
    return out;
  }
  if (!it->is_array()) return invalid(std::string(field) + " must be an array");
  out.reserve(it->size());
  for (const auto& entry : *it) {
    auto descriptor = parse_descriptor(entry, field);
    if (!descriptor) return fail(descriptor.error());
    out.push_back(std::move(*descriptor));
  }
  return out;
}

// The media type decided by the Content-Type header, the body's mediaType, or the body's shape.
Result<std::string> effective_media_type(const json& doc, std::string_view content_type) {
  std::string body_type;
  if (const auto it = doc.find("mediaType"); it != doc.end()) {
    if (!it->is_string()) return invalid("mediaType must be a string");
    body_type = it->get<std::string>();
  }
  const auto header_type = strip_parameters(content_type);
  if (media_type::is_manifest(header_type)) {
    if (!body_type.empty() && body_type != header_type) {
      return invalid("mediaType in body does not match Content-Type");
    }
    return std::string(header_type);
  }
  if (!body_type.empty()) {
    if (!media_type::is_manifest(body_type)) {
      return fail(ErrorCode::kUnsupported, "unsupported manifest media type", body_type);
    }
    return body_type;
  }
  if (!header_type.empty() && header_type != "application/json" &&
      header_type != "application/octet-stream") {
    return fail(ErrorCode::kUnsupported, "unsupported manifest media type",
                std::string(header_type));
  }
  // OCI allows mediaType to be absent: decide by shape.
  if (doc.contains("manifests")) return std::string(media_type::kOciIndex);
  if (doc.contains("config")) return std::string(media_type::kOciManifest);
  return invalid("cannot tell the manifest type: no mediaType, config or manifests");
}

}  // namespace

Result<Manifest> parse_manifest(std::string_view body, std::string_view content_type) {
  json doc = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return invalid("body is not valid JSON");
  if (!doc.is_object()) return invalid("manifest must be a JSON object");
  const auto schema = doc.find("schemaVersion");
  if (schema == doc.end() || !schema->is_number_integer() || schema->get<int>() != 2) {
    return invalid("schemaVersion must be 2");
  }
  auto type = effective_media_type(doc, content_type);
  if (!type) return fail(type.error());

  Manifest out;
  out.media_type = std::move(*type);
  out.is_index = media_type::is_index(out.media_type);
  if (out.is_index) {
    auto manifests = parse_descriptor_list(doc, "manifests", true);
    if (!manifests) return fail(manifests.error());
    out.manifests = std::move(*manifests);
  } else {
    const auto config = doc.find("config");
    if (config == doc.end()) return invalid("config missing");
    auto parsed_config = parse_descriptor(*config, "config");
    if (!parsed_config) return fail(parsed_config.error());
    out.config = std::move(*parsed_config);
    auto layers = parse_descriptor_list(doc, "layers", true);
    if (!layers) return fail(layers.error());
    out.layers = std::move(*layers);
  }
  if (const auto subject = doc.find("subject"); subject != doc.end() && !subject->is_null()) {
    auto parsed = parse_descriptor(*subject, "subject");
    if (!parsed) return fail(parsed.error());
    out.subject = std::move(*parsed);
  }
  if (const auto at = doc.find("artifactType"); at != doc.end()) {
    if (!at->is_string()) return invalid("artifactType must be a string");
    out.artifact_type = at->get<std::string>();
  } else if (out.config) {
    out.artifact_type = out.config->media_type;
  }
  auto annotations = parse_annotations(doc, "manifest");
  if (!annotations) return fail(annotations.error());
  out.annotations = std::move(*annotations);
  return out;
}

}  // namespace common::oci
