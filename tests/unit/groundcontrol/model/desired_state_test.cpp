#include "groundcontrol/model/desired_state.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace groundcontrol::model {
namespace {

using common::fleet_wire::SatelliteState;

common::Digest digest(char c) {
  return common::Digest::from_hex(common::DigestAlgorithm::kSha256, std::string(64, c));
}

Artifact artifact(std::string repository, char d, std::vector<std::string> tags) {
  return Artifact{std::move(repository), digest(d), std::move(tags), "IMAGE", {}};
}

const ConfigSummary kConfig{"default", "sha256:" + std::string(64, 'c'), "https://upstream"};

SatelliteState render(const std::vector<std::pair<std::string, std::vector<Artifact>>>& groups,
                      const ConfigSummary& config = kConfig) {
  std::vector<GroupArtifacts> inputs;
  for (const auto& [name, artifacts] : groups) inputs.push_back({name, artifacts});
  return render_desired_state("sat-1", inputs, config);
}

TEST(DesiredStateTest, TheUnionOfGroupsWithTagsMerged) {
  const auto state = render(
      {{"edge", {artifact("library/nginx", 'a', {"1.25"})}},
       {"eu", {artifact("library/nginx", 'a', {"latest"}), artifact("library/alpine", 'b', {})}}});
  ASSERT_EQ(state.artifacts.size(), 2u);
  EXPECT_EQ(state.artifacts[0].repository, "library/alpine");
  EXPECT_TRUE(state.artifacts[0].tags.empty());
  EXPECT_EQ(state.artifacts[1].repository, "library/nginx");
  EXPECT_EQ(state.artifacts[1].tags, (std::vector<std::string>{"1.25", "latest"}));
  EXPECT_EQ(state.artifacts[1].groups, (std::vector<std::string>{"edge", "eu"}));
  EXPECT_EQ(state.groups, (std::vector<std::string>{"edge", "eu"}));
  EXPECT_TRUE(state.conflicts.empty());
  EXPECT_EQ(state.upstream_url, "https://upstream");
}

TEST(DesiredStateTest, OneDigestUnderTwoRepositoriesIsTwoEntries) {
  const auto state = render(
      {{"g", {artifact("library/nginx", 'a', {"x"}), artifact("blabla/nginx", 'a', {"x"})}}});
  ASSERT_EQ(state.artifacts.size(), 2u);
  EXPECT_TRUE(state.conflicts.empty());  // one tag per repository, no clash
}

TEST(DesiredStateTest, ATagGivenToTwoDigestsIsDroppedFromBothAndReported) {
  const auto state = render({{"a", {artifact("library/nginx", '1', {"latest", "1.24"})}},
                             {"b", {artifact("library/nginx", '2', {"latest", "1.25"})}}});
  ASSERT_EQ(state.artifacts.size(), 2u);
  EXPECT_EQ(state.artifacts[0].tags, std::vector<std::string>{"1.24"});
  EXPECT_EQ(state.artifacts[1].tags, std::vector<std::string>{"1.25"});
  ASSERT_EQ(state.conflicts.size(), 1u);
  EXPECT_EQ(state.conflicts[0].tag, "latest");
  EXPECT_EQ(state.conflicts[0].digests, (std::vector<common::Digest>{digest('1'), digest('2')}));
}

TEST(DesiredStateTest, TheDigestFollowsTheContentNotTheOrder) {
  const auto one =
      render({{"a", {artifact("r/x", '1', {"t"})}}, {"b", {artifact("r/y", '2', {})}}});
  const auto same =
      render({{"b", {artifact("r/y", '2', {})}}, {"a", {artifact("r/x", '1', {"t"})}}});
  EXPECT_EQ(one.state_digest, same.state_digest);
  EXPECT_TRUE(one.state_digest.starts_with("sha256:"));

  const auto retagged =
      render({{"a", {artifact("r/x", '1', {"u"})}}, {"b", {artifact("r/y", '2', {})}}});
  const auto fewer_groups = render({{"a", {artifact("r/x", '1', {"t"})}}});
  const auto empty_group =
      render({{"a", {artifact("r/x", '1', {"t"})}}, {"b", {artifact("r/y", '2', {})}}, {"c", {}}});
  auto other = kConfig;
  other.digest = "sha256:" + std::string(64, 'd');
  const auto reconfigured =
      render({{"a", {artifact("r/x", '1', {"t"})}}, {"b", {artifact("r/y", '2', {})}}}, other);
  for (const auto* changed : {&retagged, &fewer_groups, &empty_group, &reconfigured})
    EXPECT_NE(changed->state_digest, one.state_digest);
}

TEST(DesiredStateTest, TheDocumentReadsBackWithItsDigest) {
  const auto state = render({{"a", {artifact("library/nginx", '1', {"latest"})}},
                             {"b", {artifact("library/nginx", '2', {"latest"})}}});
  auto parsed = common::fleet_wire::parse_satellite_state(common::fleet_wire::to_json(state));
  ASSERT_TRUE(parsed) << parsed.error().message();
  EXPECT_EQ(parsed->state_digest, state.state_digest);
  EXPECT_EQ(common::fleet_wire::canonical_content(*parsed),
            common::fleet_wire::canonical_content(state));
}

}  // namespace
}  // namespace groundcontrol::model
