#include "groundcontrol/model/label_selector.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

#include "groundcontrol/model/names.hpp"

namespace groundcontrol::model {
namespace {

using common::ErrorCode;
using common::fail;

bool is_space(char c) {
  return c == ' ' || c == '\t';
}
// Characters that end a key or a value.
bool is_delimiter(char c) {
  return is_space(c) || c == ',' || c == '=' || c == '!' || c == '(' || c == ')';
}

// A cursor over the selector text that reports errors by position.
class Scanner {
 public:
  Scanner(std::string_view text, std::string_view field) : text_(text), field_(field) {}

  void skip_space() {
    while (at_ < text_.size() && is_space(text_[at_])) ++at_;
  }
  bool done() {
    skip_space();
    return at_ >= text_.size();
  }
  bool consume(std::string_view token) {
    skip_space();
    if (!text_.substr(at_).starts_with(token)) return false;
    at_ += token.size();
    return true;
  }
  // A bare word (key, value or operator keyword); empty when none starts here.
  std::string_view word() {
    skip_space();
    const auto start = at_;
    while (at_ < text_.size() && !is_delimiter(text_[at_])) ++at_;
    return text_.substr(start, at_ - start);
  }
  // Looks at the next word without consuming it.
  std::string_view peek_word() {
    const auto saved = at_;
    const auto next = word();
    at_ = saved;
    return next;
  }
  std::unexpected<common::Error> error(std::string_view expected) const {
    return fail(ErrorCode::kInvalidArgument,
                fmt::format("{}: invalid label selector at position {}: expected {}", field_, at_,
                            expected));
  }

 private:
  std::string_view text_;
  std::string_view field_;
  std::size_t at_ = 0;
};

common::Result<std::vector<std::string>> parse_value_set(Scanner& in) {
  if (!in.consume("(")) return in.error("'('");
  std::vector<std::string> values;
  if (in.consume(")")) return values;
  for (;;) {
    values.emplace_back(in.word());
    if (in.consume(")")) return values;
    if (!in.consume(",")) return in.error("',' or ')'");
  }
}

common::Result<Requirement> parse_requirement(Scanner& in) {
  if (in.consume("!")) {
    const auto key = in.word();
    if (key.empty()) return in.error("a label key after '!'");
    return Requirement{std::string(key), SelectorOp::kDoesNotExist, {}};
  }
  const auto key = in.word();
  if (key.empty()) return in.error("a label key");
  Requirement requirement{std::string(key), SelectorOp::kExists, {}};
  if (in.consume("==") || in.consume("=")) {
    requirement.op = SelectorOp::kEquals;
  } else if (in.consume("!=")) {
    requirement.op = SelectorOp::kNotEquals;
  } else if (const auto keyword = in.peek_word(); keyword == "in" || keyword == "notin") {
    (void)in.word();
    requirement.op = keyword == "in" ? SelectorOp::kIn : SelectorOp::kNotIn;
    auto values = parse_value_set(in);
    if (!values) return fail(values.error());
    requirement.values = std::move(*values);
    return requirement;
  } else {
    return requirement;  // bare key: exists
  }
  requirement.values.emplace_back(in.word());
  return requirement;
}

common::Status validate(Requirement& requirement, std::string_view field) {
  if (auto ok = validate_label_key(requirement.key, field); !ok) return ok;
  for (const auto& value : requirement.values)
    if (auto ok = validate_label_value(value, field); !ok) return ok;
  std::sort(requirement.values.begin(), requirement.values.end());
  requirement.values.erase(std::unique(requirement.values.begin(), requirement.values.end()),
                           requirement.values.end());
  const auto arity = requirement.values.size();
  switch (requirement.op) {
    case SelectorOp::kEquals:
    case SelectorOp::kNotEquals:
      if (arity == 1) return {};
      break;
    case SelectorOp::kIn:
    case SelectorOp::kNotIn:
      if (arity >= 1) return {};
      break;
    case SelectorOp::kExists:
    case SelectorOp::kDoesNotExist:
      if (arity == 0) return {};
      break;
  }
  return fail(ErrorCode::kInvalidArgument,
              fmt::format("{}: requirement on \"{}\" has the wrong number of values", field,
                          requirement.key));
}

bool holds(const Requirement& requirement, const Labels& labels) {
  const auto found = labels.find(requirement.key);
  const bool present = found != labels.end();
  const auto listed = [&] {
    return present &&
           std::binary_search(requirement.values.begin(), requirement.values.end(), found->second);
  };
  switch (requirement.op) {
    case SelectorOp::kEquals:
    case SelectorOp::kIn:
      return listed();
    case SelectorOp::kNotEquals:
    case SelectorOp::kNotIn:
      return !listed();
    case SelectorOp::kExists:
      return present;
    case SelectorOp::kDoesNotExist:
      return !present;
  }
  return false;
}

bool requirement_less(const Requirement& a, const Requirement& b) {
  if (a.key != b.key) return a.key < b.key;
  if (a.op != b.op) return a.op < b.op;
  return a.values < b.values;
}

}  // namespace

common::Result<LabelSelector> LabelSelector::parse(std::string_view text, std::string_view field) {
  Scanner in(text, field);
  std::vector<Requirement> requirements;
  if (in.done()) return LabelSelector();
  for (;;) {
    auto requirement = parse_requirement(in);
    if (!requirement) return fail(requirement.error());
    requirements.push_back(std::move(*requirement));
    if (in.done()) break;
    if (!in.consume(",")) return in.error("',' between requirements");
  }
  return from_requirements(std::move(requirements), field);
}

common::Result<LabelSelector> LabelSelector::from_requirements(
    std::vector<Requirement> requirements, std::string_view field) {
  for (auto& requirement : requirements)
    if (auto ok = validate(requirement, field); !ok) return fail(ok.error());
  std::sort(requirements.begin(), requirements.end(), requirement_less);
  requirements.erase(std::unique(requirements.begin(), requirements.end()), requirements.end());
  return LabelSelector(std::move(requirements));
}

bool LabelSelector::matches(const Labels& labels) const {
  return std::all_of(requirements_.begin(), requirements_.end(),
                     [&](const Requirement& r) { return holds(r, labels); });
}

std::string LabelSelector::str() const {
  std::string out;
  for (const auto& r : requirements_) {
    if (!out.empty()) out += ',';
    switch (r.op) {
      case SelectorOp::kEquals:
        out += fmt::format("{}={}", r.key, r.values.front());
        break;
      case SelectorOp::kNotEquals:
        out += fmt::format("{}!={}", r.key, r.values.front());
        break;
      case SelectorOp::kIn:
        out += fmt::format("{} in ({})", r.key, fmt::join(r.values, ","));
        break;
      case SelectorOp::kNotIn:
        out += fmt::format("{} notin ({})", r.key, fmt::join(r.values, ","));
        break;
      case SelectorOp::kExists:
        out += r.key;
        break;
      case SelectorOp::kDoesNotExist:
        out += "!" + r.key;
        break;
    }
  }
  return out;
}

}  // namespace groundcontrol::model
