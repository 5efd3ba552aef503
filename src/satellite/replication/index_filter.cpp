#include "satellite/replication/index_filter.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <nlohmann/json.hpp>
#include <optional>

namespace satellite::replication {
namespace {

using common::ErrorCode;
using Json = nlohmann::ordered_json;  // keeps the fields in the upstream's order

struct Platform {
  std::string os, architecture, variant;  // variant empty: any
};

std::optional<Platform> parse_platform(std::string_view text) {
  Platform platform;
  std::vector<std::string> parts;
  std::size_t start = 0;
  for (;;) {
    const auto slash = text.find('/', start);
    parts.emplace_back(text.substr(start, slash - start));
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  if (parts.size() < 2 || parts.size() > 3) return std::nullopt;
  for (const auto& part : parts) {
    if (part.empty()) return std::nullopt;
  }
  platform.os = parts[0];
  platform.architecture = parts[1];
  if (parts.size() == 3) platform.variant = parts[2];
  return platform;
}

std::string string_field(const Json& object, const char* key) {
  const auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

bool matches(const Json& entry, const std::vector<Platform>& wanted) {
  if (!entry.is_object()) return false;
  const auto platform = entry.find("platform");
  if (platform == entry.end() || !platform->is_object()) return false;
  const auto os = string_field(*platform, "os");
  const auto architecture = string_field(*platform, "architecture");
  const auto variant = string_field(*platform, "variant");
  for (const auto& want : wanted) {
    if (want.os == os && want.architecture == architecture &&
        (want.variant.empty() || want.variant == variant)) {
      return true;
    }
  }
  return false;
}

}  // namespace

common::Result<std::string> filter_index(std::string_view index,
                                         const std::vector<std::string>& platforms) {
  std::vector<Platform> wanted;
  for (const auto& text : platforms) {
    auto platform = parse_platform(text);
    if (!platform) {
      return common::fail(ErrorCode::kInvalidArgument,
                          "platform \"" + text + "\" is not os/arch or os/arch/variant");
    }
    wanted.push_back(std::move(*platform));
  }
  Json json = Json::parse(index, nullptr, /*allow_exceptions=*/false);
  if (!json.is_object() || !json.contains("manifests") || !json["manifests"].is_array()) {
    return common::fail(ErrorCode::kManifestInvalid, "the index has no manifests array");
  }
  Json kept = Json::array();
  for (const auto& entry : json["manifests"]) {
    if (matches(entry, wanted)) kept.push_back(entry);
  }
  if (kept.size() == json["manifests"].size()) return std::string(index);  // digest unchanged
  if (kept.empty()) {
    return common::fail(ErrorCode::kNotFound, fmt::format("the index has no manifest for {}",
                                                          fmt::join(platforms, ", ")));
  }
  json["manifests"] = std::move(kept);
  return json.dump();
}

}  // namespace satellite::replication
