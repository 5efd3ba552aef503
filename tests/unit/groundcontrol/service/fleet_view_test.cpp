#include "groundcontrol/service/fleet_view.hpp"

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

namespace groundcontrol::service {
namespace {

using common::http::Wakeup;

model::Artifact artifact(std::string repository, char digest, std::vector<std::string> tags) {
  return {std::move(repository),
          common::Digest::from_hex(common::DigestAlgorithm::kSha256, std::string(64, digest)),
          std::move(tags),
          "IMAGE",
          {}};
}

model::GroupSpec by_selector(std::string_view selector) {
  model::GroupSpec spec;
  spec.selector = *model::LabelSelector::parse(selector, "selector");
  return spec;
}

model::GroupSpec by_name(std::vector<std::string> satellites) {
  model::GroupSpec spec;
  spec.satellites = std::move(satellites);
  return spec;
}

class FleetViewTest : public ::testing::Test {
 protected:
  void SetUp() override {
    view_.put_config("default", {"default", "sha256:" + std::string(64, 'c'), "https://up"});
    view_.put_group("edge", by_selector("tier=edge"), {artifact("library/nginx", '1', {"1.25"})});
    view_.put_group("berlin", by_name({"sat-b"}), {artifact("library/alpine", '2', {"3.19"})});
    view_.put_satellite("sat-a", {{"tier", "edge"}}, "default");
    view_.put_satellite("sat-b", {{"tier", "edge"}}, "default");
    view_.put_satellite("sat-c", {{"tier", "core"}}, "default");
  }
  FleetView view_;
};

TEST_F(FleetViewTest, AStateIsTheUnionOfSelectedAndExplicitGroups) {
  const auto state = view_.state_of("sat-b");
  ASSERT_TRUE(state);
  EXPECT_EQ(state->groups, (std::vector<std::string>{"berlin", "edge"}));
  ASSERT_EQ(state->artifacts.size(), 2u);
  EXPECT_EQ(state->upstream_url, "https://up");
  EXPECT_EQ(view_.state_of("sat-a")->artifacts.size(), 1u);
  EXPECT_TRUE(view_.state_of("sat-c")->artifacts.empty());
  EXPECT_FALSE(view_.state_of("nobody"));
  EXPECT_EQ(view_.members_of("edge"), (std::vector<std::string>{"sat-a", "sat-b"}));
}

TEST_F(FleetViewTest, SatellitesWithEqualInputsShareOneState) {
  view_.put_satellite("sat-d", {{"tier", "edge"}}, "default");
  EXPECT_EQ(view_.state_of("sat-a").get(), view_.state_of("sat-d").get());
  EXPECT_NE(view_.state_of("sat-a")->state_digest, view_.state_of("sat-b")->state_digest);
}

TEST_F(FleetViewTest, AGroupChangeWakesItsMembersOnly) {
  auto member = Wakeup::create();
  auto other = Wakeup::create();
  const auto watch_member = view_.watch("sat-a", member);
  const auto watch_other = view_.watch("sat-c", other);
  const auto before = view_.state_of("sat-a")->state_digest;
  view_.put_group("edge", by_selector("tier=edge"), {artifact("library/nginx", '3', {"1.26"})});
  EXPECT_TRUE(member->fired());
  EXPECT_FALSE(other->fired());
  EXPECT_NE(view_.state_of("sat-a")->state_digest, before);
}

TEST_F(FleetViewTest, AnUnchangedRenderWakesNoOne) {
  auto wakeup = Wakeup::create();
  const auto watch = view_.watch("sat-a", wakeup);
  view_.put_group("edge", by_selector("tier=edge"), {artifact("library/nginx", '1', {"1.25"})});
  view_.put_satellite("sat-a", {{"tier", "edge"}, {"site", "x"}}, "default");  // same groups
  EXPECT_FALSE(wakeup->fired());
}

TEST_F(FleetViewTest, ALabelChangeMovesASatelliteOutOfAGroup) {
  auto wakeup = Wakeup::create();
  const auto watch = view_.watch("sat-a", wakeup);
  view_.put_satellite("sat-a", {{"tier", "core"}}, "default");
  EXPECT_TRUE(wakeup->fired());
  EXPECT_TRUE(view_.state_of("sat-a")->groups.empty());
  EXPECT_EQ(view_.members_of("edge"), std::vector<std::string>{"sat-b"});
}

// Members are kept per group as the view changes (not counted on each read): they must
// follow label changes, removals and group edits, for listed and selected members alike.
TEST_F(FleetViewTest, MemberCountsFollowLabelsRemovalsAndGroupChanges) {
  const auto members = [this](std::string_view group) {
    const auto names = view_.members_of(group);
    EXPECT_EQ(view_.member_count(group), names.size()) << group;
    return names;
  };
  using Names = std::vector<std::string>;
  EXPECT_EQ(members("edge"), (Names{"sat-a", "sat-b"}));
  EXPECT_EQ(members("berlin"), Names{"sat-b"});

  view_.put_satellite("sat-c", {{"tier", "edge"}}, "default");  // joins by its labels
  view_.put_satellite("sat-b", {{"tier", "core"}}, "default");  // leaves edge, stays listed
  EXPECT_EQ(members("edge"), (Names{"sat-a", "sat-c"}));
  EXPECT_EQ(members("berlin"), Names{"sat-b"});

  view_.remove_satellite("sat-b");  // leaves the group that lists it
  EXPECT_EQ(members("berlin"), Names{});
  view_.put_satellite("sat-b", {}, "default");  // back, still listed by name
  EXPECT_EQ(members("berlin"), Names{"sat-b"});

  view_.put_group("berlin", by_name({"sat-a", "sat-c"}), {});  // the list changes
  EXPECT_EQ(members("berlin"), (Names{"sat-a", "sat-c"}));
  view_.put_group("edge", by_selector("tier=core"), {});  // the selector changes
  EXPECT_EQ(members("edge"), Names{});

  view_.remove_group("berlin");
  EXPECT_EQ(members("berlin"), Names{});
  view_.put_group("berlin", by_name({"sat-b"}), {});  // made again: no stale members
  EXPECT_EQ(members("berlin"), Names{"sat-b"});
  EXPECT_EQ(members("nowhere"), Names{});
}

TEST_F(FleetViewTest, AConfigChangeAndARemovalWakeTheirSatellites) {
  auto config_watcher = Wakeup::create();
  const auto watch = view_.watch("sat-c", config_watcher);
  view_.put_config("default", {"default", "sha256:" + std::string(64, 'd'), "https://other"});
  EXPECT_TRUE(config_watcher->fired());
  EXPECT_EQ(view_.state_of("sat-c")->upstream_url, "https://other");

  auto removal_watcher = Wakeup::create();
  const auto watch_removal = view_.watch("sat-b", removal_watcher);
  view_.remove_satellite("sat-b");
  EXPECT_TRUE(removal_watcher->fired());
  EXPECT_FALSE(view_.state_of("sat-b"));

  auto group_watcher = Wakeup::create();
  const auto watch_group = view_.watch("sat-a", group_watcher);
  view_.remove_group("edge");
  EXPECT_TRUE(group_watcher->fired());
  EXPECT_TRUE(view_.state_of("sat-a")->artifacts.empty());
}

TEST_F(FleetViewTest, AnEndedWatchIsNotFired) {
  auto wakeup = Wakeup::create();
  { const auto watch = view_.watch("sat-a", wakeup); }
  view_.put_satellite("sat-a", {{"tier", "core"}}, "default");
  EXPECT_FALSE(wakeup->fired());
}

TEST_F(FleetViewTest, ReadersAndWritersRunConcurrently) {
  std::atomic<bool> stop = false;
  std::thread reader([&] {
    while (!stop)
      for (const auto* name : {"sat-a", "sat-b", "sat-c"}) (void)view_.state_of(name);
  });
  for (int i = 0; i < 200; ++i) {
    view_.put_group("edge", by_selector("tier=edge"),
                    {artifact("library/nginx", "0123456789" [i % 10], { "t" })});
    view_.put_satellite("sat-n" + std::to_string(i), {{"tier", "edge"}}, "default");
  }
  stop = true;
  reader.join();
  EXPECT_EQ(view_.satellite_count(), 203u);
  EXPECT_EQ(view_.members_of("edge").size(), 202u);
}

}  // namespace
}  // namespace groundcontrol::service
