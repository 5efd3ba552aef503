// GroupRule: one rule of a Group that selects artifacts from a registry endpoint, so that a
// group follows the registry instead of an explicit list: a repository glob, a tag glob or
// a semver range over the tags, a Harbor label, and "the newest N by push time". A rule is
// evaluated against what a RegistryAdapter lists (select_artifacts); the group service
// re-evaluates rules periodically and on demand. Plain value types, their JSON codec and
// pure matching functions; no I/O.
//
// JSON (in a Group's spec.rules[]):
//   {"endpoint": "central",            required: a RegistryEndpoint's name
//    "repository": "library/app*",     required: glob over the whole repository name
//    "tags": "v1.*",                   optional glob over tag names (default "*")
//    "semver": ">=1.25 <2",            optional range; exclusive with "tags"
//    "label": "release",               optional: only artifacts with this label (Harbor)
//    "newest": 3}                      optional: per repository, the N most recently pushed
//                                      of those that match (0 or absent: all)
//
// Globs: '*' any run of characters (also '/'), '?' one character, '[abc]', '[a-z]', '[!x]'
// classes, '\' escapes the next character; anything else matches itself; the whole name
// must match.
//
// Semver ranges (the subset people write, node-semver's grammar): a space-separated
// conjunction of comparators `>=1.25`, `>1.2.3`, `<2`, `<=2.0.0`, `=1.4.1` or a bare
// version; `^1.2.3` (>=1.2.3 <2.0.0; ^0.2.3 is >=0.2.3 <0.3.0), `~1.2.3` (>=1.2.3 <1.3.0),
// `1.2.x` / `1.x` / `*` wildcards; several conjunctions joined by `||`. Partial versions
// fill with zeros on the lower bound ("1.25" is 1.25.0). Tags are read as versions with an
// optional leading 'v' ("v1.2.3", "1.26", "2"); a tag that is not a version never matches
// a semver rule. Pre-release tags ("1.3.0-rc.1") match only a comparator that names a
// pre-release of the same major.minor.patch, as node-semver does; build metadata ("+b5")
// is ignored.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/digest.hpp"
#include "common/result.hpp"

namespace groundcontrol::model {

inline constexpr std::size_t kMaxGroupRules = 100;

// A parsed semver range: a disjunction of conjunctions of comparators.
class SemverRange {
 public:
  // kInvalidArgument naming `field` and what is wrong.
  [[nodiscard]] static common::Result<SemverRange> parse(std::string_view text,
                                                         std::string_view field);
  // Whether tag `tag` (read as a version, leading 'v' allowed) lies in the range.
  bool matches(std::string_view tag) const;
  const std::string& text() const noexcept { return text_; }

  struct Version {
    std::uint64_t major = 0, minor = 0, patch = 0;
    std::vector<std::string> prerelease;  // dot-separated identifiers; empty: a release
  };
  struct Comparator {
    enum class Op { kLess, kLessEqual, kGreater, kGreaterEqual, kEqual };
    Op op = Op::kEqual;
    Version version;
  };

 private:
  std::string text_;
  std::vector<std::vector<Comparator>> alternatives_;  // OR of ANDs; empty inner: any
};

// The version a tag names, or nullopt for a tag that is not one ("latest", "1.2.3.4").
std::optional<SemverRange::Version> parse_tag_version(std::string_view tag);

// Whether `name` matches glob `pattern` (grammar above), all of it.
bool glob_matches(std::string_view pattern, std::string_view name);
// kInvalidArgument naming `field` for a malformed glob (an unclosed '[', a trailing '\').
[[nodiscard]] common::Status check_glob(std::string_view pattern, std::string_view field);

struct GroupRule {
  std::string endpoint;
  std::string repository;  // glob
  std::string tags = "*";  // glob, when semver is absent
  std::optional<SemverRange> semver;
  std::string label;       // empty: any
  std::size_t newest = 0;  // 0: all
};

// Reads `spec.rules`: an array of at most kMaxGroupRules rules. kInvalidArgument naming the
// field ("spec.rules[2].semver: ..."), for unknown fields too.
[[nodiscard]] common::Result<std::vector<GroupRule>> parse_group_rules(const nlohmann::json& value,
                                                                       std::string_view path);
nlohmann::json to_json(const std::vector<GroupRule>& rules);

// What a rule is matched against: one artifact of a repository as the adapter lists it.
struct CandidateArtifact {
  std::string repository;
  common::Digest digest;
  std::vector<std::string> tags;
  std::vector<std::string> labels;
  std::optional<std::chrono::system_clock::time_point> push_time;  // nullopt: unknown
};

// One selected artifact: the candidate with only the tags the rule matched (an artifact
// selected by its label or repository alone keeps all its tags).
struct SelectedArtifact {
  std::string repository;
  common::Digest digest;
  std::vector<std::string> tags;  // sorted
};

// The candidates `rule` selects: repository matches the glob; at least one tag matches the
// tag glob or the semver range (tags kept: those that match); the label, when set, is among
// the artifact's labels; then, with `newest`, per repository the N with the latest push
// time (artifacts without a push time never count as newest: a plain OCI registry does not
// say, so such a rule selects nothing there). Sorted by (repository, digest).
std::vector<SelectedArtifact> select_artifacts(const GroupRule& rule,
                                               const std::vector<CandidateArtifact>& candidates);

}  // namespace groundcontrol::model
