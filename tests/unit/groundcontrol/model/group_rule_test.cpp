#include "groundcontrol/model/group_rule.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

namespace groundcontrol::model {
namespace {

using nlohmann::json;
using std::chrono::system_clock;

SemverRange range(std::string_view text) {
  auto parsed = SemverRange::parse(text, "semver");
  EXPECT_TRUE(parsed) << text << ": " << parsed.error().message();
  return parsed ? *parsed : *SemverRange::parse("*", "semver");
}

common::Digest digest_of(char c) {
  return *common::Digest::parse("sha256:" + std::string(64, c));
}

TEST(GlobTest, MatchesTheWholeNameWithStarsClassesAndEscapes) {
  struct Case {
    const char* pattern;
    const char* name;
    bool match;
  };
  for (const Case c : {
           Case{"library/app", "library/app", true},
           Case{"library/app", "library/app2", false},
           Case{"library/*", "library/app", true},
           Case{"library/*", "library/team/app", true},  // '*' crosses '/'
           Case{"*", "", true},
           Case{"lib*/a*p", "library/app", true},
           Case{"lib*/a*p", "library/apps", false},
           Case{"v1.?", "v1.2", true},
           Case{"v1.?", "v1.20", false},
           Case{"v[0-9].*", "v3.1", true},
           Case{"v[0-9].*", "vx.1", false},
           Case{"[!d]ev", "dev", false},
           Case{"[!d]ev", "rev", true},
           Case{"[]]x", "]x", true},
           Case{"a\\*b", "a*b", true},
           Case{"a\\*b", "axb", false},
           Case{"*-rc*", "1.2-rc1", true},
           Case{"*a*a*a*a*a*b", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", false},
       }) {
    EXPECT_EQ(glob_matches(c.pattern, c.name), c.match) << c.pattern << " vs " << c.name;
  }
}

TEST(GlobTest, MalformedGlobsAreRefusedNamingTheField) {
  EXPECT_TRUE(check_glob("v[0-9]*", "f"));
  const auto unclosed = check_glob("v[0-9", "spec.rules[0].tags");
  ASSERT_FALSE(unclosed);
  EXPECT_EQ(unclosed.error().message(), "spec.rules[0].tags: a '[' is never closed");
  EXPECT_FALSE(check_glob("abc\\", "f"));
}

TEST(SemverTest, TagsReadAsVersions) {
  EXPECT_TRUE(parse_tag_version("v1.2.3"));
  EXPECT_TRUE(parse_tag_version("1.26"));
  EXPECT_TRUE(parse_tag_version("2"));
  EXPECT_TRUE(parse_tag_version("1.3.0-rc.1+build5"));
  for (const char* not_a_version : {"latest", "1.2.3.4", "1.x", "01.2", "", "v", "1.2-rc"}) {
    EXPECT_FALSE(parse_tag_version(not_a_version)) << not_a_version;
  }
}

TEST(SemverTest, RangesAsNodeSemverReadsThem) {
  struct Case {
    const char* range;
    const char* tag;
    bool match;
  };
  for (const Case c : {
           Case{">=1.25", "1.25", true},
           Case{">=1.25", "v1.25.1", true},
           Case{">=1.25", "1.24.9", false},
           Case{">=1.25 <2", "1.99.0", true},
           Case{">=1.25 <2", "2.0.0", false},
           Case{">=1.25 <2", "2", false},
           Case{">1.2.3", "1.2.3", false},
           Case{">1.2.3", "1.2.4", true},
           Case{">1.2", "1.2.9", false},
           Case{">1.2", "1.3.0", true},
           Case{"<=2.0.0", "2.0.0", true},
           Case{"<=2", "2.9.9", true},
           Case{"<=2", "3.0.0", false},
           Case{"=1.4.1", "1.4.1", true},
           Case{"1.4.1", "1.4.2", false},
           Case{"1.4", "1.4.7", true},
           Case{"^1.2.3", "1.9.0", true},
           Case{"^1.2.3", "2.0.0", false},
           Case{"^1.2.3", "1.2.2", false},
           Case{"^0.2.3", "0.2.9", true},
           Case{"^0.2.3", "0.3.0", false},
           Case{"^0.0.3", "0.0.4", false},
           Case{"~1.2.3", "1.2.9", true},
           Case{"~1.2.3", "1.3.0", false},
           Case{"~1", "1.9.9", true},
           Case{"1.2.x", "1.2.5", true},
           Case{"1.2.x", "1.3.0", false},
           Case{"1.x", "1.7.0", true},
           Case{"*", "0.0.1", true},
           Case{"*", "latest", false},
           Case{"<1 || >=3", "0.9.0", true},
           Case{"<1 || >=3", "2.0.0", false},
           Case{"<1 || >=3", "3.1.0", true},
           Case{">= 1.2 < 1.3", "1.2.8", true},
           Case{"1.2.3", "1.2.3+build7", true},
           // Pre-releases match only a comparator naming one of the same release.
           Case{">=1.2", "1.3.0-rc.1", false},
           Case{">=1.3.0-rc.0", "1.3.0-rc.1", true},
           Case{">=1.3.0-rc.0", "1.4.0-rc.1", false},
           Case{">=1.3.0-rc.2", "1.3.0-rc.10", true},  // numeric identifiers compare as numbers
           Case{">=1.3.0-rc.2", "1.3.0-beta.9", false},
           Case{">=1.3.0-rc.0", "1.3.0", true},
       }) {
    EXPECT_EQ(range(c.range).matches(c.tag), c.match) << c.range << " vs " << c.tag;
  }
}

TEST(SemverTest, MalformedRangesAreRefusedNamingTheTerm) {
  for (const char* bad : {"", "  ", ">=", "latest", ">=1.x.3", "1 | 2", "1.2.3.4", ">=01.2"}) {
    const auto parsed = SemverRange::parse(bad, "spec.rules[1].semver");
    ASSERT_FALSE(parsed) << bad;
    EXPECT_TRUE(parsed.error().message().starts_with("spec.rules[1].semver: ")) << bad;
    EXPECT_EQ(parsed.error().code(), common::ErrorCode::kInvalidArgument);
  }
  EXPECT_EQ(SemverRange::parse("latest", "s").error().message(),
            "s: \"latest\" is not a version comparator");
}

TEST(GroupRuleCodecTest, ParsesDefaultsAndRoundTrips) {
  const auto rules =
      parse_group_rules(json::parse(R"([{"endpoint":"central","repository":"library/app*"},
                     {"endpoint":"harbor","repository":"edge/*","semver":"^1.2",
                      "label":"release","newest":3}])"),
                        "spec.rules");
  ASSERT_TRUE(rules) << rules.error().message();
  ASSERT_EQ(rules->size(), 2u);
  EXPECT_EQ((*rules)[0].tags, "*");
  EXPECT_FALSE((*rules)[0].semver);
  EXPECT_EQ((*rules)[1].semver->text(), "^1.2");
  EXPECT_EQ((*rules)[1].newest, 3u);
  const auto again = parse_group_rules(to_json(*rules), "spec.rules");
  ASSERT_TRUE(again);
  EXPECT_EQ(to_json(*again), to_json(*rules));
  EXPECT_EQ(to_json(*rules)[0], json::parse(R"({"endpoint":"central","repository":"library/app*",
                                                "tags":"*"})"));
}

TEST(GroupRuleCodecTest, RefusesBadRulesNamingTheField) {
  struct Case {
    const char* rules;
    const char* error;
  };
  for (const Case c : {
           Case{R"({"endpoint":"a"})", "spec.rules: expected a list"},
           Case{R"([{"repository":"x"}])", "spec.rules[0].endpoint: required"},
           Case{R"([{"endpoint":"a","repository":"x","tag":"v1"}])",
                "spec.rules[0].tag: unknown field"},
           Case{R"([{"endpoint":"a","repository":"x"},{"endpoint":"a","repository":"[x"}])",
                "spec.rules[1].repository: a '[' is never closed"},
           Case{R"([{"endpoint":"a","repository":"x","tags":"v*","semver":">=1"}])",
                "spec.rules[0].semver: give either tags or semver, not both"},
           Case{R"([{"endpoint":"a","repository":"x","newest":-1}])", "spec.rules[0].newest:"},
           Case{R"([{"endpoint":"a","repository":"x","semver":"soon"}])",
                "spec.rules[0].semver: \"soon\" is not a version comparator"},
           Case{R"([{"endpoint":"Bad Name","repository":"x"}])", "spec.rules[0].endpoint:"},
       }) {
    const auto parsed = parse_group_rules(json::parse(c.rules), "spec.rules");
    ASSERT_FALSE(parsed) << c.rules;
    EXPECT_TRUE(parsed.error().message().starts_with(c.error))
        << c.rules << " gave " << parsed.error().message();
  }
  EXPECT_FALSE(parse_group_rules(
      json(std::vector<json>(kMaxGroupRules + 1, {{"endpoint", "a"}, {"repository", "x"}})),
      "spec.rules"));
}

TEST(SelectArtifactsTest, RepositoryTagsLabelAndNewest) {
  const auto at = [](int seconds) {
    return system_clock::time_point(std::chrono::seconds(seconds));
  };
  const std::vector<CandidateArtifact> candidates = {
      {"library/app", digest_of('a'), {"1.1.0", "old"}, {}, at(100)},
      {"library/app", digest_of('b'), {"1.2.0", "stable"}, {"release"}, at(200)},
      {"library/app", digest_of('c'), {"1.3.0", "latest"}, {"release"}, at(300)},
      {"library/app", digest_of('d'), {"2.0.0"}, {"release"}, at(400)},
      {"library/app", digest_of('e'), {}, {"release"}, at(500)},  // untagged: never selected
      {"library/tool", digest_of('f'), {"1.5.0"}, {}, std::nullopt},
      {"other/app", digest_of('a'), {"1.2.0"}, {}, at(50)},
  };
  GroupRule rule{"central", "library/*", "*", range(">=1.2 <2"), "", 0};
  auto selected = select_artifacts(rule, candidates);
  ASSERT_EQ(selected.size(), 3u);
  EXPECT_EQ(selected[0].digest, digest_of('b'));
  EXPECT_EQ(selected[0].tags, std::vector<std::string>{"1.2.0"});  // "stable" is no version
  EXPECT_EQ(selected[1].digest, digest_of('c'));
  EXPECT_EQ(selected[2].repository, "library/tool");

  rule = GroupRule{"central", "library/app", "*", std::nullopt, "release", 2};
  selected = select_artifacts(rule, candidates);
  ASSERT_EQ(selected.size(), 2u);  // newest two labelled and tagged: d (400) and c (300)
  EXPECT_EQ(selected[0].digest, digest_of('c'));
  EXPECT_EQ(selected[0].tags, (std::vector<std::string>{"1.3.0", "latest"}));
  EXPECT_EQ(selected[1].digest, digest_of('d'));

  rule = GroupRule{"central", "*", "l*", std::nullopt, "", 0};
  selected = select_artifacts(rule, candidates);
  ASSERT_EQ(selected.size(), 1u);
  EXPECT_EQ(selected[0].tags, std::vector<std::string>{"latest"});

  // Without push times (a plain OCI registry) nothing counts as newest.
  rule = GroupRule{"central", "library/tool", "*", std::nullopt, "", 1};
  EXPECT_TRUE(select_artifacts(rule, candidates).empty());
}

TEST(SelectArtifactsTest, OneDigestListedTwiceIsSelectedOnceWithAllItsTags) {
  const std::vector<CandidateArtifact> candidates = {
      {"library/app", digest_of('a'), {"v2"}, {}, std::nullopt},
      {"library/app", digest_of('a'), {"v1", "v2"}, {}, std::nullopt},
  };
  const auto selected =
      select_artifacts({"c", "library/app", "v*", std::nullopt, "", 0}, candidates);
  ASSERT_EQ(selected.size(), 1u);
  EXPECT_EQ(selected[0].tags, (std::vector<std::string>{"v1", "v2"}));
}

}  // namespace
}  // namespace groundcontrol::model
