#include "cli/merge_patch.hpp"

namespace cli {

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

}  // namespace cli
