#include "common/fleet_wire/harbor_state_file.hpp"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

namespace common::fleet_wire {
namespace {

using nlohmann::json;

std::unexpected<Error> invalid(std::string_view field, std::string_view why) {
  return fail(ErrorCode::kInvalidArgument, fmt::format("{}: {}", field, why));
}

// A list of strings; Harbor's label objects ({"name": …}) are read by their name too.
Result<std::vector<std::string>> strings(const json& entry, std::string_view key,
                                         std::string_view field) {
  std::vector<std::string> out;
  const auto found = entry.find(key);
  if (found == entry.end() || found->is_null()) return out;
  if (!found->is_array()) return invalid(field, "expected a list of strings");
  for (const auto& item : *found) {
    if (item.is_string()) {
      out.push_back(item.get<std::string>());
    } else if (item.is_object() && item.contains("name") && item["name"].is_string()) {
      out.push_back(item["name"].get<std::string>());
    } else {
      return invalid(field, "expected a list of strings");
    }
  }
  return out;
}

Result<HarborArtifact> read_entry(const json& entry, std::size_t index) {
  const auto field = fmt::format("artifacts[{}]", index);
  if (!entry.is_object()) return invalid(field, "expected an object");
  const auto repository = entry.find("repository");
  if (repository == entry.end() || !repository->is_string())
    return invalid(field + ".repository", "required, a string");
  const auto digest_text = entry.find("digest");
  if (digest_text == entry.end() || !digest_text->is_string())
    return invalid(field + ".digest", "required, a string");
  auto digest = Digest::parse(digest_text->get<std::string>());
  if (!digest) return invalid(field + ".digest", digest.error().message());
  auto tags = strings(entry, "tag", field + ".tag");
  if (!tags) return fail(tags.error());
  auto labels = strings(entry, "labels", field + ".labels");
  if (!labels) return fail(labels.error());
  HarborArtifact out{repository->get<std::string>(), std::move(*digest), std::move(*tags), "IMAGE",
                     std::move(*labels)};
  if (const auto found = entry.find("type"); found != entry.end() && !found->is_null()) {
    if (!found->is_string()) return invalid(field + ".type", "expected a string");
    out.type = found->get<std::string>();
  }
  if (const auto found = entry.find("deleted"); found != entry.end() && !found->is_null()) {
    if (!found->is_boolean()) return invalid(field + ".deleted", "expected true or false");
    out.deleted = found->get<bool>();
  }
  return out;
}

}  // namespace

Result<HarborStateFile> parse_harbor_state_file(std::string_view text) {
  auto document = json::parse(text, nullptr, false);
  if (document.is_discarded()) return invalid("body", "not a JSON document");
  if (!document.is_object()) return invalid("body", "expected a JSON object");
  HarborStateFile file;
  if (const auto found = document.find("registry"); found != document.end() && !found->is_null()) {
    if (!found->is_string()) return invalid("registry", "expected a string");
    file.registry = found->get<std::string>();
  }
  const auto artifacts = document.find("artifacts");
  if (artifacts == document.end() || !artifacts->is_array())
    return invalid("artifacts", "required, a list");
  file.entries.reserve(artifacts->size());
  for (std::size_t i = 0; i < artifacts->size(); ++i) {
    auto entry = read_entry((*artifacts)[i], i);
    if (!entry) return fail(entry.error());
    file.entries.push_back(std::move(*entry));
  }
  return file;
}

}  // namespace common::fleet_wire
