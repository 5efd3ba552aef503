#include "cli/resource_diff.hpp"

#include <fmt/format.h>

namespace cli {
namespace {

using nlohmann::json;

constexpr std::size_t kShown = 60;

std::string shown(const json& value) {
  auto text = value.dump();
  return text.size() > kShown ? text.substr(0, kShown) + "…" : text;
}

bool list_holds(const json& desired, const json& live) {
  if (desired.size() != live.size()) return false;
  std::vector<bool> used(live.size(), false);
  for (const auto& item : desired) {
    bool found = false;
    for (std::size_t i = 0; i < live.size() && !found; ++i)
      if (!used[i] && holds(item, live[i])) used[i] = found = true;
    if (!found) return false;
  }
  return true;
}

void collect(const json& desired, const json& live, const std::string& path,
             std::vector<std::string>& out) {
  if (desired.is_null()) return;  // null counts as absent
  if (desired.is_object() && live.is_object()) {
    for (const auto& [key, value] : desired.items()) {
      const auto child = path + "." + key;
      if (!live.contains(key) || live[key].is_null()) {
        if (!value.is_null()) out.push_back(fmt::format("+ {}: {}", child, shown(value)));
      } else {
        collect(value, live[key], child, out);
      }
    }
    return;
  }
  if (!holds(desired, live))
    out.push_back(fmt::format("~ {}: {} -> {}", path, shown(live), shown(desired)));
}

}  // namespace

bool holds(const json& desired, const json& live) {
  if (desired.is_null()) return true;
  if (desired.is_object()) {
    if (!live.is_object()) return false;
    for (const auto& [key, value] : desired.items())
      if (!value.is_null() && (!live.contains(key) || !holds(value, live[key]))) return false;
    return true;
  }
  if (desired.is_array()) return live.is_array() && list_holds(desired, live);
  if (desired.is_number() && live.is_number()) return desired.get<double>() == live.get<double>();
  return desired == live;
}

std::vector<std::string> resource_changes(const json& desired, const json& live) {
  std::vector<std::string> out;
  const auto member = [](const json& document, const char* pointer) {
    const json::json_pointer at(pointer);
    return document.contains(at) && !document[at].is_null() ? document[at] : json::object();
  };
  const auto want_labels = member(desired, "/metadata/labels");
  const auto have_labels = member(live, "/metadata/labels");
  collect(want_labels, have_labels, "metadata.labels", out);
  for (const auto& [key, value] : have_labels.items())
    if (!want_labels.contains(key)) out.push_back(fmt::format("- metadata.labels.{}", key));
  collect(member(desired, "/metadata/annotations"), member(live, "/metadata/annotations"),
          "metadata.annotations", out);
  collect(member(desired, "/spec"), member(live, "/spec"), "spec", out);
  return out;
}

}  // namespace cli
