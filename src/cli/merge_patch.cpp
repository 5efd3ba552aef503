#include "cli/merge_patch.hpp"

#include <algorithm>

namespace cli {
namespace {

// The member `key` of `object`, or nullptr when `object` is no object or lacks it.
const nlohmann::json* member(const nlohmann::json* object, const std::string& key) {
  if (object == nullptr || !object->is_object()) return nullptr;
  const auto found = object->find(key);
  return found == object->end() ? nullptr : &*found;
}

bool same(const nlohmann::json* a, const nlohmann::json* b) {
  return a == nullptr || b == nullptr ? a == b : *a == *b;
}

void collect_conflicts(const nlohmann::json& patch, const nlohmann::json* base,
                       const nlohmann::json* current, const std::string& prefix,
                       std::vector<std::string>& out) {
  for (const auto& [key, value] : patch.items()) {
    const auto path = prefix.empty() ? key : prefix + "." + key;
    const auto* was = member(base, key);
    const auto* now = member(current, key);
    const auto object_or_absent = [](const nlohmann::json* v) {
      return v == nullptr || v->is_object();
    };
    if (value.is_object() && object_or_absent(was) && object_or_absent(now)) {
      collect_conflicts(value, was, now, path, out);  // patched member by member
      continue;
    }
    const auto* wanted = value.is_null() ? nullptr : &value;  // null removes the member
    if (!same(was, now) && !same(now, wanted)) out.push_back(path);
  }
}

}  // namespace

nlohmann::json merge_patch_between(const nlohmann::json& before, const nlohmann::json& after) {
  if (!before.is_object() || !after.is_object()) return after;
  nlohmann::json patch = nlohmann::json::object();
  for (const auto& [key, value] : before.items())
    if (!after.contains(key)) patch[key] = nullptr;
  for (const auto& [key, value] : after.items()) {
    if (!before.contains(key)) {
      patch[key] = value;
    } else if (before[key] != value) {
      patch[key] = value.is_object() && before[key].is_object()
                       ? merge_patch_between(before[key], value)
                       : value;
    }
  }
  return patch;
}

std::vector<std::string> merge_patch_conflicts(const nlohmann::json& patch,
                                               const nlohmann::json& base,
                                               const nlohmann::json& current) {
  std::vector<std::string> out;
  if (patch.is_object()) collect_conflicts(patch, &base, &current, "", out);
  std::ranges::sort(out);
  return out;
}

}  // namespace cli
