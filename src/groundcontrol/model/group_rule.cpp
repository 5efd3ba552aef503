#include "groundcontrol/model/group_rule.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "groundcontrol/model/json_fields.hpp"
#include "groundcontrol/model/names.hpp"

namespace groundcontrol::model {
namespace {

using common::fail;
using nlohmann::json;
using Comparator = SemverRange::Comparator;
using Version = SemverRange::Version;

// ---- globs ------------------------------------------------------------------------------

// The end of the class that starts at pattern[i] == '[' (index of its ']'), or npos.
std::size_t class_end(std::string_view pattern, std::size_t i) {
  std::size_t j = i + 1;
  if (j < pattern.size() && pattern[j] == '!') ++j;
  if (j < pattern.size() && pattern[j] == ']') ++j;  // a leading ']' is a member
  for (; j < pattern.size(); ++j) {
    if (pattern[j] == '\\') {
      ++j;
      continue;
    }
    if (pattern[j] == ']') return j;
  }
  return std::string_view::npos;
}

bool class_matches(std::string_view body, char c) {
  bool negate = false;
  if (!body.empty() && body.front() == '!') {
    negate = true;
    body.remove_prefix(1);
  }
  bool found = false;
  for (std::size_t k = 0; k < body.size(); ++k) {
    char low = body[k];
    if (low == '\\' && k + 1 < body.size()) low = body[++k];
    char high = low;
    if (k + 2 < body.size() && body[k + 1] == '-') {
      high = body[k + 2];
      if (high == '\\' && k + 3 < body.size()) {
        high = body[k + 3];
        ++k;
      }
      k += 2;
    }
    if (c >= low && c <= high) found = true;
  }
  return found != negate;
}

// Iterative matcher with single-star backtracking: linear in practice, never exponential.
bool glob_match(std::string_view p, std::string_view s) {
  std::size_t pi = 0, si = 0;
  std::size_t star_p = std::string_view::npos, star_s = 0;
  while (si < s.size()) {
    if (pi < p.size()) {
      const char pc = p[pi];
      if (pc == '*') {
        star_p = pi++;
        star_s = si;
        continue;
      }
      if (pc == '?') {
        ++pi;
        ++si;
        continue;
      }
      if (pc == '[') {
        const auto end = class_end(p, pi);
        if (end != std::string_view::npos) {
          if (class_matches(p.substr(pi + 1, end - pi - 1), s[si])) {
            pi = end + 1;
            ++si;
            continue;
          }
        } else if (s[si] == '[') {
          ++pi;
          ++si;
          continue;
        }
      } else if (pc == '\\' && pi + 1 < p.size()) {
        if (p[pi + 1] == s[si]) {
          pi += 2;
          ++si;
          continue;
        }
      } else if (pc == s[si]) {
        ++pi;
        ++si;
        continue;
      }
    }
    if (star_p == std::string_view::npos) return false;
    pi = star_p + 1;
    si = ++star_s;
  }
  while (pi < p.size() && p[pi] == '*') ++pi;
  return pi == p.size();
}

// ---- versions ---------------------------------------------------------------------------

std::optional<std::uint64_t> number_of(std::string_view text) {
  if (text.empty() || text.size() > 18) return std::nullopt;
  if (text.size() > 1 && text.front() == '0') return std::nullopt;  // semver: no leading zeros
  std::uint64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size()) return std::nullopt;
  return value;
}

std::vector<std::string_view> split(std::string_view text, char sep) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  while (true) {
    const auto at = text.find(sep, start);
    parts.push_back(text.substr(start, at == std::string_view::npos ? at : at - start));
    if (at == std::string_view::npos) return parts;
    start = at + 1;
  }
}

bool valid_identifier(std::string_view id) {
  return !id.empty() && std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-';
  });
}

// A partial version as written in a range: each of major/minor/patch is a number or a
// wildcard ('x', 'X', '*') or absent.
struct Partial {
  std::optional<std::uint64_t> part[3];
  int given = 0;  // numbers given before the first wildcard/absence
  std::vector<std::string> prerelease;
};

std::optional<Partial> parse_partial(std::string_view text) {
  if (!text.empty() && (text.front() == 'v' || text.front() == 'V')) text.remove_prefix(1);
  if (const auto plus = text.find('+'); plus != std::string_view::npos) {
    text = text.substr(0, plus);
  }
  Partial out;
  if (const auto dash = text.find('-'); dash != std::string_view::npos) {
    for (auto id : split(text.substr(dash + 1), '.')) {
      if (!valid_identifier(id)) return std::nullopt;
      out.prerelease.emplace_back(id);
    }
    text = text.substr(0, dash);
  }
  const auto parts = split(text, '.');
  if (parts.size() > 3) return std::nullopt;
  bool wild = false;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    const auto part = parts[i];
    if (part == "x" || part == "X" || part == "*") {
      wild = true;
      continue;
    }
    if (wild) return std::nullopt;  // "1.x.3"
    auto number = number_of(part);
    if (!number) return std::nullopt;
    out.part[i] = *number;
    ++out.given;
  }
  if (!out.prerelease.empty() && out.given != 3) return std::nullopt;
  return out;
}

Version lower_of(const Partial& p) {
  return {p.part[0].value_or(0), p.part[1].value_or(0), p.part[2].value_or(0), p.prerelease};
}

// The exclusive upper bound of a partial version ("1.2" -> 1.3.0-0 semantics: < 1.3.0).
Version next_of(const Partial& p) {
  if (p.given == 1) return {*p.part[0] + 1, 0, 0, {}};
  return {*p.part[0], *p.part[1] + 1, 0, {}};
}

int compare_identifiers(const std::string& a, const std::string& b) {
  const auto na = number_of(a), nb = number_of(b);
  if (na && nb) return *na < *nb ? -1 : (*na > *nb ? 1 : 0);
  if (na) return -1;  // numeric identifiers sort before alphanumeric ones
  if (nb) return 1;
  return a < b ? -1 : (a > b ? 1 : 0);
}

int compare(const Version& a, const Version& b) {
  if (a.major != b.major) return a.major < b.major ? -1 : 1;
  if (a.minor != b.minor) return a.minor < b.minor ? -1 : 1;
  if (a.patch != b.patch) return a.patch < b.patch ? -1 : 1;
  if (a.prerelease.empty() || b.prerelease.empty()) {
    if (a.prerelease.empty() && b.prerelease.empty()) return 0;
    return a.prerelease.empty() ? 1 : -1;  // a release is above its pre-releases
  }
  for (std::size_t i = 0; i < std::min(a.prerelease.size(), b.prerelease.size()); ++i) {
    if (const int c = compare_identifiers(a.prerelease[i], b.prerelease[i]); c != 0) return c;
  }
  if (a.prerelease.size() == b.prerelease.size()) return 0;
  return a.prerelease.size() < b.prerelease.size() ? -1 : 1;
}

bool satisfies(const Version& v, const Comparator& c) {
  const int r = compare(v, c.version);
  switch (c.op) {
    case Comparator::Op::kLess:
      return r < 0;
    case Comparator::Op::kLessEqual:
      return r <= 0;
    case Comparator::Op::kGreater:
      return r > 0;
    case Comparator::Op::kGreaterEqual:
      return r >= 0;
    case Comparator::Op::kEqual:
      return r == 0;
  }
  return false;
}

bool same_release(const Version& a, const Version& b) {
  return a.major == b.major && a.minor == b.minor && a.patch == b.patch;
}

// Appends the comparators one range term stands for; false when the term is malformed.
bool expand_term(std::string_view term, std::vector<Comparator>& out) {
  using Op = Comparator::Op;
  if (term.front() == '^' || term.front() == '~') {
    const bool caret = term.front() == '^';
    auto p = parse_partial(term.substr(1));
    if (!p || p->given == 0) return p.has_value();  // "^*": any
    out.push_back({Op::kGreaterEqual, lower_of(*p)});
    Version upper;
    if (!caret) {
      upper = p->given == 1 ? Version{*p->part[0] + 1, 0, 0, {}}
                            : Version{*p->part[0], *p->part[1] + 1, 0, {}};
    } else if (*p->part[0] != 0 || p->given == 1) {
      upper = {*p->part[0] + 1, 0, 0, {}};
    } else if (p->given == 2 || *p->part[1] != 0) {
      upper = {0, *p->part[1] + 1, 0, {}};
    } else {
      upper = {0, 0, *p->part[2] + 1, {}};
    }
    out.push_back({Op::kLess, upper});
    return true;
  }
  static constexpr std::pair<std::string_view, Op> kOperators[] = {{">=", Op::kGreaterEqual},
                                                                   {"<=", Op::kLessEqual},
                                                                   {">", Op::kGreater},
                                                                   {"<", Op::kLess},
                                                                   {"=", Op::kEqual}};
  Op op = Op::kEqual;
  std::size_t skip = 0;
  for (const auto& [text, which] : kOperators) {
    if (term.starts_with(text)) {
      op = which;
      skip = text.size();
      break;
    }
  }
  auto p = parse_partial(term.substr(skip));
  if (!p) return false;
  if (p->given == 0) {  // "*", ">=*": any; "<*", ">*": nothing
    if (op == Op::kLess || op == Op::kGreater) out.push_back({Op::kLess, Version{0, 0, 0, {"0"}}});
    return true;
  }
  if (p->given == 3) {
    out.push_back({op, lower_of(*p)});
    return true;
  }
  // A partial version is a range: "1.2" is [1.2.0, 1.3.0).
  switch (op) {
    case Op::kEqual:
      out.push_back({Op::kGreaterEqual, lower_of(*p)});
      out.push_back({Op::kLess, next_of(*p)});
      break;
    case Op::kGreaterEqual:
      out.push_back({Op::kGreaterEqual, lower_of(*p)});
      break;
    case Op::kLess:
      out.push_back({Op::kLess, lower_of(*p)});
      break;
    case Op::kGreater:
      out.push_back({Op::kGreaterEqual, next_of(*p)});
      break;
    case Op::kLessEqual:
      out.push_back({Op::kLess, next_of(*p)});
      break;
  }
  return true;
}

bool conjunction_matches(const std::vector<Comparator>& all, const Version& v) {
  for (const auto& c : all) {
    if (!satisfies(v, c)) return false;
  }
  if (v.prerelease.empty()) return true;
  // node-semver: a pre-release matches only when a comparator names one of the same release.
  return std::any_of(all.begin(), all.end(), [&](const Comparator& c) {
    return !c.version.prerelease.empty() && same_release(c.version, v);
  });
}

// ---- the rule codec ----------------------------------------------------------------------

common::Result<GroupRule> parse_rule(const json& value, const std::string& path) {
  auto fields = JsonFields::open(value, path);
  if (!fields) return fail(fields.error());
  GroupRule rule;
  auto endpoint = fields->required_text("endpoint");
  if (!endpoint) return fail(endpoint.error());
  if (auto ok = validate_name(*endpoint, path + ".endpoint"); !ok) return fail(ok.error());
  rule.endpoint = std::move(*endpoint);
  auto repository = fields->required_text("repository");
  if (!repository) return fail(repository.error());
  if (repository->empty() || repository->size() > 255)
    return invalid_field(path + ".repository", "expected a glob of 1 to 255 characters");
  if (auto ok = check_glob(*repository, path + ".repository"); !ok) return fail(ok.error());
  rule.repository = std::move(*repository);
  const bool has_tags = value.contains("tags") && !value["tags"].is_null();
  auto tags = fields->text("tags", "*");
  if (!tags) return fail(tags.error());
  if (tags->empty() || tags->size() > 128)
    return invalid_field(path + ".tags", "expected a glob of 1 to 128 characters");
  if (auto ok = check_glob(*tags, path + ".tags"); !ok) return fail(ok.error());
  rule.tags = std::move(*tags);
  auto semver = fields->text("semver");
  if (!semver) return fail(semver.error());
  if (!semver->empty()) {
    if (has_tags) return invalid_field(path + ".semver", "give either tags or semver, not both");
    auto range = SemverRange::parse(*semver, path + ".semver");
    if (!range) return fail(range.error());
    rule.semver = std::move(*range);
  } else if (value.contains("semver") && value["semver"].is_string()) {
    return invalid_field(path + ".semver", "expected a range such as \">=1.2 <2\"");
  }
  auto label = fields->text("label");
  if (!label) return fail(label.error());
  if (label->size() > 128) return invalid_field(path + ".label", "at most 128 characters");
  rule.label = std::move(*label);
  auto newest = fields->integer("newest", 0, 0, 1000);
  if (!newest) return fail(newest.error());
  rule.newest = static_cast<std::size_t>(*newest);
  if (auto ok = fields->finish(); !ok) return fail(ok.error());
  return rule;
}

}  // namespace

// ---- public functions --------------------------------------------------------------------

bool glob_matches(std::string_view pattern, std::string_view name) {
  return glob_match(pattern, name);
}

common::Status check_glob(std::string_view pattern, std::string_view field) {
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i] == '\\') {
      if (i + 1 == pattern.size()) return invalid_field(field, "a '\\' must escape a character");
      ++i;
    } else if (pattern[i] == '[') {
      const auto end = class_end(pattern, i);
      if (end == std::string_view::npos) return invalid_field(field, "a '[' is never closed");
      i = end;
    }
  }
  return {};
}

std::optional<SemverRange::Version> parse_tag_version(std::string_view tag) {
  auto p = parse_partial(tag);
  if (!p || p->given == 0) return std::nullopt;
  // A wildcard is a range, not a tag ("1.x").
  const auto core = tag.substr(0, tag.find_first_of("-+"));
  if (core.find_first_of("xX*") != std::string_view::npos) return std::nullopt;
  return lower_of(*p);
}

common::Result<SemverRange> SemverRange::parse(std::string_view text, std::string_view field) {
  if (text.size() > 256) return invalid_field(field, "at most 256 characters");
  SemverRange range;
  range.text_ = std::string(text);
  std::string_view rest = text;
  while (true) {
    const auto bar = rest.find("||");
    const auto piece = rest.substr(0, bar);
    if (piece.find('|') != std::string_view::npos)
      return invalid_field(field, "alternatives are joined by \"||\"");
    // Terms are space-separated; an operator may stand apart from its version (">= 1.2").
    std::vector<std::string> terms;
    std::string pending;
    for (auto word : split(piece, ' ')) {
      if (word.empty()) continue;
      if (word == ">=" || word == "<=" || word == ">" || word == "<" || word == "=" ||
          word == "^" || word == "~") {
        pending += word;
        continue;
      }
      terms.push_back(pending + std::string(word));
      pending.clear();
    }
    if (!pending.empty())
      return invalid_field(field, fmt::format("\"{}\" needs a version", pending));
    if (terms.empty()) return invalid_field(field, "expected a range such as \">=1.2 <2\"");
    std::vector<Comparator> all;
    for (const auto& term : terms) {
      if (!expand_term(term, all))
        return invalid_field(field, fmt::format("\"{}\" is not a version comparator", term));
    }
    range.alternatives_.push_back(std::move(all));
    if (bar == std::string_view::npos) break;
    rest = rest.substr(bar + 2);
  }
  return range;
}

bool SemverRange::matches(std::string_view tag) const {
  const auto version = parse_tag_version(tag);
  if (!version) return false;
  return std::any_of(alternatives_.begin(), alternatives_.end(),
                     [&](const auto& all) { return conjunction_matches(all, *version); });
}

common::Result<std::vector<GroupRule>> parse_group_rules(const json& value, std::string_view path) {
  if (!value.is_array()) return invalid_field(path, "expected a list");
  if (value.size() > kMaxGroupRules)
    return invalid_field(path, fmt::format("at most {} rules", kMaxGroupRules));
  std::vector<GroupRule> rules;
  for (std::size_t i = 0; i < value.size(); ++i) {
    auto rule = parse_rule(value[i], fmt::format("{}[{}]", path, i));
    if (!rule) return fail(rule.error());
    rules.push_back(std::move(*rule));
  }
  return rules;
}

json to_json(const std::vector<GroupRule>& rules) {
  json out = json::array();
  for (const auto& rule : rules) {
    json item = {{"endpoint", rule.endpoint}, {"repository", rule.repository}};
    if (rule.semver) {
      item["semver"] = rule.semver->text();
    } else {
      item["tags"] = rule.tags;
    }
    if (!rule.label.empty()) item["label"] = rule.label;
    if (rule.newest != 0) item["newest"] = rule.newest;
    out.push_back(std::move(item));
  }
  return out;
}

std::vector<SelectedArtifact> select_artifacts(const GroupRule& rule,
                                               const std::vector<CandidateArtifact>& candidates) {
  struct Match {
    const CandidateArtifact* candidate;
    std::vector<std::string> tags;
  };
  std::map<std::string, std::vector<Match>, std::less<>> by_repository;
  for (const auto& candidate : candidates) {
    if (!glob_matches(rule.repository, candidate.repository)) continue;
    if (!rule.label.empty() && std::find(candidate.labels.begin(), candidate.labels.end(),
                                         rule.label) == candidate.labels.end())
      continue;
    std::set<std::string> tags;
    for (const auto& tag : candidate.tags) {
      if (rule.semver ? rule.semver->matches(tag) : glob_matches(rule.tags, tag)) tags.insert(tag);
    }
    if (tags.empty()) continue;
    by_repository[candidate.repository].push_back({&candidate, {tags.begin(), tags.end()}});
  }
  std::vector<SelectedArtifact> out;
  for (auto& [repository, matches] : by_repository) {
    if (rule.newest != 0) {
      std::erase_if(matches, [](const Match& m) { return !m.candidate->push_time; });
      std::sort(matches.begin(), matches.end(), [](const Match& a, const Match& b) {
        if (*a.candidate->push_time != *b.candidate->push_time)
          return *a.candidate->push_time > *b.candidate->push_time;
        return a.candidate->digest.str() < b.candidate->digest.str();
      });
      if (matches.size() > rule.newest) matches.resize(rule.newest);
    }
    for (auto& match : matches) {
      out.push_back({repository, match.candidate->digest, std::move(match.tags)});
    }
  }
  // A registry may list one digest twice (Harbor: an artifact per tag); keep one, all tags.
  std::sort(out.begin(), out.end(), [](const SelectedArtifact& a, const SelectedArtifact& b) {
    return std::tie(a.repository, a.digest) < std::tie(b.repository, b.digest);
  });
  std::vector<SelectedArtifact> merged;
  for (auto& item : out) {
    if (!merged.empty() && merged.back().repository == item.repository &&
        merged.back().digest == item.digest) {
      auto& tags = merged.back().tags;
      tags.insert(tags.end(), item.tags.begin(), item.tags.end());
      std::sort(tags.begin(), tags.end());
      tags.erase(std::unique(tags.begin(), tags.end()), tags.end());
      continue;
    }
    merged.push_back(std::move(item));
  }
  return merged;
}

}  // namespace groundcontrol::model
