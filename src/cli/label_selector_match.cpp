#include "cli/label_selector_match.hpp"

#include <algorithm>

namespace cli {

bool selector_matches(const nlohmann::json& selector, const nlohmann::json& labels) {
  if (!selector.is_object()) return false;
  const auto match_labels = selector.value("matchLabels", nlohmann::json::object());
  for (const auto& [key, value] : match_labels.items())
    if (!labels.contains(key) || labels[key] != value) return false;
  for (const auto& requirement : selector.value("matchExpressions", nlohmann::json::array())) {
    const auto key = requirement.value("key", "");
    const auto op = requirement.value("operator", "");
    const auto values = requirement.value("values", nlohmann::json::array());
    const bool has = labels.contains(key);
    const bool listed = has && std::find(values.begin(), values.end(), labels[key]) != values.end();
    if ((op == "In" && !listed) || (op == "NotIn" && listed) || (op == "Exists" && !has) ||
        (op == "DoesNotExist" && has))
      return false;
  }
  return true;
}

}  // namespace cli
