#include "groundcontrol/model/object_meta.hpp"

#include <fmt/format.h>

#include <charconv>
#include <nlohmann/json.hpp>

#include "groundcontrol/model/json_fields.hpp"
#include "groundcontrol/model/names.hpp"

namespace groundcontrol::model {
namespace {

constexpr std::size_t kMaxLabels = 64;
constexpr std::size_t kMaxAnnotationBytes = 256 * 1024;

common::Result<std::int64_t> parse_resource_version(const std::string& text) {
  if (text.empty()) return 0;
  std::int64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value <= 0)
    return invalid_field("metadata.resourceVersion", "expected a resourceVersion from this server");
  return value;
}

}  // namespace

common::Status validate_labels(const Labels& labels, std::string_view field) {
  if (labels.size() > kMaxLabels)
    return invalid_field(field, fmt::format("at most {} labels", kMaxLabels));
  for (const auto& [key, label] : labels) {
    const auto path = fmt::format("{}.{}", field, key);
    if (auto ok = validate_label_key(key, path); !ok) return common::fail(ok.error());
    if (auto ok = validate_label_value(label, path); !ok) return common::fail(ok.error());
  }
  return {};
}

common::Result<ObjectMeta> parse_object_meta(const nlohmann::json& value) {
  auto fields = JsonFields::open(value, "metadata");
  if (!fields) return common::fail(fields.error());
  ObjectMeta meta;
  auto name = fields->required_text("name");
  if (!name) return common::fail(name.error());
  if (auto ok = validate_name(*name, "metadata.name"); !ok) return common::fail(ok.error());
  meta.name = std::move(*name);
  auto labels = fields->text_map("labels");
  if (!labels) return common::fail(labels.error());
  meta.labels.insert(labels->begin(), labels->end());
  if (auto ok = validate_labels(meta.labels, "metadata.labels"); !ok)
    return common::fail(ok.error());
  auto annotations = fields->text_map("annotations");
  if (!annotations) return common::fail(annotations.error());
  std::size_t bytes = 0;
  for (const auto& [key, annotation] : *annotations) {
    if (auto ok = validate_label_key(key, fmt::format("metadata.annotations.{}", key)); !ok)
      return common::fail(ok.error());
    bytes += key.size() + annotation.size();
  }
  if (bytes > kMaxAnnotationBytes)
    return invalid_field("metadata.annotations", "at most 256 KiB in all");
  meta.annotations = std::move(*annotations);
  auto version = fields->text("resourceVersion");
  if (!version) return common::fail(version.error());
  auto parsed_version = parse_resource_version(*version);
  if (!parsed_version) return common::fail(parsed_version.error());
  meta.resource_version = *parsed_version;
  // Set by the server; accepted so that a document read back can be applied again.
  for (const auto* key : {"uid", "creationTimestamp"})
    if (auto ignored = fields->text(key); !ignored) return common::fail(ignored.error());
  if (auto ignored = fields->integer("generation", 0, 0, INT64_MAX); !ignored)
    return common::fail(ignored.error());
  if (auto ok = fields->finish(); !ok) return common::fail(ok.error());
  return meta;
}

nlohmann::json to_json(const ObjectMeta& meta) {
  nlohmann::json out = {{"name", meta.name},
                        {"uid", meta.uid},
                        {"resourceVersion", std::to_string(meta.resource_version)},
                        {"generation", meta.generation},
                        {"creationTimestamp", meta.creation_timestamp}};
  out["labels"] = nlohmann::json::object();
  for (const auto& [key, value] : meta.labels) out["labels"][key] = value;
  if (!meta.annotations.empty()) {
    out["annotations"] = nlohmann::json::object();
    for (const auto& [key, value] : meta.annotations) out["annotations"][key] = value;
  }
  return out;
}

}  // namespace groundcontrol::model
