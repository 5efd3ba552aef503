#include "groundcontrol/model/field_selector.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

namespace groundcontrol::model {
namespace {

std::string_view trim(std::string_view text) {
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  return text;
}

}  // namespace

common::Result<FieldSelector> FieldSelector::parse(std::string_view text,
                                                   std::span<const std::string_view> fields) {
  FieldSelector selector;
  if (trim(text).empty()) return selector;
  for (std::size_t start = 0; start <= text.size();) {
    const auto comma = std::min(text.find(',', start), text.size());
    const auto part = trim(text.substr(start, comma - start));
    start = comma + 1;
    const auto op = part.find_first_of("!=");
    if (op == std::string_view::npos || op == 0)
      return common::fail(common::ErrorCode::kInvalidArgument,
                          fmt::format("fieldSelector: \"{}\" is not field=value or field!=value",
                                      part.substr(0, 80)));
    Requirement requirement{std::string(trim(part.substr(0, op))), true, {}};
    std::string_view rest = part.substr(op);
    if (rest.starts_with("!=")) {
      requirement.equals = false;
      rest.remove_prefix(2);
    } else if (rest.starts_with("==")) {
      rest.remove_prefix(2);
    } else if (rest.starts_with("=")) {
      rest.remove_prefix(1);
    } else {
      return common::fail(common::ErrorCode::kInvalidArgument,
                          fmt::format("fieldSelector: \"{}\" is not field=value or field!=value",
                                      part.substr(0, 80)));
    }
    requirement.value = std::string(trim(rest));
    if (std::find(fields.begin(), fields.end(), requirement.field) == fields.end())
      return common::fail(common::ErrorCode::kInvalidArgument,
                          fmt::format("fieldSelector: \"{}\" is not a selectable field; use {}",
                                      requirement.field.substr(0, 80), fmt::join(fields, ", ")));
    selector.requirements_.push_back(std::move(requirement));
  }
  return selector;
}

bool FieldSelector::matches(
    const std::function<std::string(std::string_view field)>& value_of) const {
  return std::all_of(requirements_.begin(), requirements_.end(), [&](const Requirement& r) {
    return (value_of(r.field) == r.value) == r.equals;
  });
}

}  // namespace groundcontrol::model
