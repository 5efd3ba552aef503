// FieldSelector: requirements on documented fields of a resource, as Kubernetes writes
// them: `metadata.name=sat-1,status.connectivity!=offline` (`=`, `==`, `!=`, joined by
// commas). Which fields exist is the caller's (each list names its own); a field it does
// not document is refused by name. Immutable value type.
#pragma once

#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"

namespace groundcontrol::model {

class FieldSelector {
 public:
  struct Requirement {
    std::string field;
    bool equals;  // false: !=
    std::string value;
  };

  FieldSelector() = default;
  // kInvalidArgument for a malformed selector or a field outside `fields`.
  [[nodiscard]] static common::Result<FieldSelector> parse(
      std::string_view text, std::span<const std::string_view> fields);
  // True when every requirement holds; `value_of(field)` gives a field's value.
  bool matches(const std::function<std::string(std::string_view field)>& value_of) const;
  bool empty() const noexcept { return requirements_.empty(); }

 private:
  std::vector<Requirement> requirements_;
};

}  // namespace groundcontrol::model
