// LabelSelector: a set of requirements on labels, all of which must hold, as Kubernetes
// writes them: `key=value`, `key==value`, `key!=value`, `key in (a,b)`, `key notin (a,b)`,
// `key` (exists) and `!key` (does not exist), joined by commas. An empty selector matches
// everything. Parsed once at the edge (a list's `labelSelector`, a group's member selector)
// into a value that cannot hold an invalid requirement. Immutable value type.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "groundcontrol/model/labels.hpp"

namespace groundcontrol::model {

enum class SelectorOp { kEquals, kNotEquals, kIn, kNotIn, kExists, kDoesNotExist };

struct Requirement {
  std::string key;
  SelectorOp op;
  std::vector<std::string> values;  // sorted, unique; one for kEquals/kNotEquals, none for
                                    // kExists/kDoesNotExist
  friend bool operator==(const Requirement&, const Requirement&) = default;
};

class LabelSelector {
 public:
  LabelSelector() = default;

  // Parses the text form; kInvalidArgument naming `field`, the position and what was
  // expected, or the invalid key or value.
  [[nodiscard]] static common::Result<LabelSelector> parse(std::string_view text,
                                                           std::string_view field);
  // Builds from requirements already validated by the caller's codec (the structured form
  // matchLabels/matchExpressions); kInvalidArgument for an invalid key, value or arity.
  [[nodiscard]] static common::Result<LabelSelector> from_requirements(
      std::vector<Requirement> requirements, std::string_view field);

  // True when every requirement holds for `labels`.
  bool matches(const Labels& labels) const;
  bool empty() const noexcept { return requirements_.empty(); }
  const std::vector<Requirement>& requirements() const noexcept { return requirements_; }
  // The canonical text form (requirements sorted), which parse() reads back equal.
  std::string str() const;

  friend bool operator==(const LabelSelector&, const LabelSelector&) = default;

 private:
  explicit LabelSelector(std::vector<Requirement> requirements)
      : requirements_(std::move(requirements)) {}
  std::vector<Requirement> requirements_;
};

}  // namespace groundcontrol::model
