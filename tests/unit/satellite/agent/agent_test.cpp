#include "satellite/agent/agent.hpp"

#include <gtest/gtest.h>

#include <thread>

#include "common/fs/file_ops.hpp"
#include "satellite/agent/state_file_source.hpp"
#include "testutil/temp_dir.hpp"
#include "testutil/test_image.hpp"
#include "unit/satellite/agent/fake_upstream.hpp"

namespace satellite::agent {
namespace {

using common::fleet_wire::HarborStateFile;
using common::fleet_wire::SatelliteState;

std::string harbor_entry(const std::string& repository, const Digest& digest,
                         const std::string& tags, bool deleted = false) {
  return R"({"repository":")" + repository + R"(","tag":[)" + tags + R"(],"labels":null,)" +
         R"("type":"IMAGE","digest":")" + digest.str() + R"(","deleted":)" +
         (deleted ? "true" : "false") + "}";
}

std::string harbor_file(const std::vector<std::string>& entries) {
  std::string out = R"({"registry":"harbor","artifacts":[)";
  for (std::size_t i = 0; i < entries.size(); ++i) out += (i ? "," : "") + entries[i];
  return out + "]}";
}

TEST(StateFromHarborFileTest, MergesTagsDropsDeletedEntriesAndSetsAContestedTagOnNeither) {
  const auto a = testutil::make_test_image("a").digest();
  const auto b = testutil::make_test_image("b").digest();
  const auto c = testutil::make_test_image("c").digest();
  auto state = read_state_document(harbor_file({harbor_entry("library/app", a, R"("1.0","stable")"),
                                                harbor_entry("library/app", a, R"("1")"),
                                                harbor_entry("library/app", b, R"("2.0","stable")"),
                                                harbor_entry("library/app", c, R"("3.0")", true)}),
                                   "http://127.0.0.1:5000");
  ASSERT_TRUE(state.has_value()) << state.error().message();
  ASSERT_EQ(state->artifacts.size(), 2u);  // c was deleted
  const auto& first = state->artifacts[0].digest == a ? state->artifacts[0] : state->artifacts[1];
  const auto& second = state->artifacts[0].digest == a ? state->artifacts[1] : state->artifacts[0];
  EXPECT_EQ(first.tags, (std::vector<std::string>{"1", "1.0"}));
  EXPECT_EQ(second.tags, (std::vector<std::string>{"2.0"}));
  ASSERT_EQ(state->conflicts.size(), 1u);
  EXPECT_EQ(state->conflicts[0].tag, "stable");
  EXPECT_EQ(state->upstream_url, "http://127.0.0.1:5000");
  EXPECT_FALSE(state->state_digest.empty());
}

TEST(StateFromHarborFileTest, BadDocumentsSayWhatIsWrong) {
  const auto a = testutil::make_test_image("a").digest();
  const auto needs_upstream =
      read_state_document(harbor_file({harbor_entry("library/app", a, R"("1")")}), "");
  ASSERT_FALSE(needs_upstream.has_value());
  EXPECT_NE(needs_upstream.error().message().find("--upstream"), std::string::npos);
  const auto bad_tag =
      read_state_document(harbor_file({harbor_entry("library/app", a, R"("no spaces")")}), "u");
  ASSERT_FALSE(bad_tag.has_value());
  EXPECT_NE(bad_tag.error().message().find("artifacts[0].tag"), std::string::npos);
  const auto bad_repository =
      read_state_document(harbor_file({harbor_entry("Library/App", a, R"("1")")}), "u");
  ASSERT_FALSE(bad_repository.has_value());
  EXPECT_NE(bad_repository.error().message().find("artifacts[0].repository"), std::string::npos);
  EXPECT_FALSE(read_state_document("{not json", "u").has_value());
}

class AgentTest : public ::testing::Test {
 protected:
  void SetUp() override {
    registry::RegistryConfig config;
    config.data_dir = dir_.str() + "/data";
    registry_ = registry::RegistryService::open(config, common::log::null_logger()).value();
    upstream_ = std::make_unique<FakeUpstream>(*registry_);
  }
  std::string state_path() const { return dir_.str() + "/state.json"; }
  void write_state(const std::string& text) {
    ASSERT_TRUE(common::fs::atomic_write_file(state_path(), text));
  }
  std::unique_ptr<Agent> start_agent() {
    AgentSettings settings;
    settings.resync = std::chrono::seconds(1);
    settings.pass.removal_grace = std::chrono::seconds(0);
    auto agent =
        Agent::create(*registry_, upstream_->function(),
                      std::make_unique<StateFileSource>(state_path(), "http://upstream:5000",
                                                        std::chrono::milliseconds(100)),
                      settings, dir_.str() + "/data/agent", {}, clock_, common::log::null_logger());
    EXPECT_TRUE(agent.has_value()) << agent.error().message();
    if (!agent) return nullptr;
    (*agent)->start();
    return std::move(*agent);
  }
  // Waits up to 10 s for `done`.
  template <class F>
  bool eventually(F done) {
    for (int i = 0; i < 200; ++i) {
      if (done()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
  }
  std::optional<Digest> tag_target(const std::string& repository, const std::string& tag) {
    auto manifest = registry_->get_manifest(repository, tag);
    if (!manifest) return std::nullopt;
    return (*manifest)->digest;
  }

  testutil::TempDir dir_;
  common::SystemClock clock_;
  std::unique_ptr<registry::RegistryService> registry_;
  std::unique_ptr<FakeUpstream> upstream_;
};

TEST_F(AgentTest, AHeadlessSatelliteFollowsItsStateFile) {
  const auto v1 = testutil::make_test_image("v1");
  const auto v2 = testutil::make_test_image("v2");
  upstream_->add(v1);
  upstream_->add(v2);
  write_state(harbor_file({harbor_entry("library/app", v1.digest(), R"("stable")")}));
  auto agent = start_agent();
  ASSERT_TRUE(agent);
  ASSERT_TRUE(eventually([&] { return tag_target("library/app", "stable") == v1.digest(); }));
  ASSERT_TRUE(eventually([&] { return !agent->status().applied_state_digest.empty(); }));

  // The tag moves in the file: the satellite follows, and what left is removed (grace 0).
  write_state(harbor_file({harbor_entry("library/app", v2.digest(), R"("stable")")}));
  ASSERT_TRUE(eventually([&] { return tag_target("library/app", "stable") == v2.digest(); }));
  EXPECT_TRUE(eventually(
      [&] { return !registry_->get_manifest("library/app", v1.digest().str()).has_value(); }));
  const auto status = agent->status();
  EXPECT_EQ(status.counts.present, 1u);
  EXPECT_TRUE(status.feed_error.empty());
}

TEST_F(AgentTest, ARestartWithoutItsSourceStillReconcilesTowardsTheLastState) {
  const auto v1 = testutil::make_test_image("v1");
  upstream_->add(v1);
  write_state(harbor_file({harbor_entry("library/app", v1.digest(), R"("stable")")}));
  std::string applied;
  {
    auto agent = start_agent();
    ASSERT_TRUE(eventually([&] { return !agent->status().applied_state_digest.empty(); }));
    applied = agent->status().applied_state_digest;
  }
  // The source is gone and someone deleted the tag by hand: the stored state puts it back.
  ASSERT_EQ(::unlink(state_path().c_str()), 0);
  ASSERT_TRUE(registry_->delete_manifest("library/app", "stable"));
  auto agent = start_agent();
  EXPECT_EQ(agent->status().state_digest, applied);
  EXPECT_TRUE(eventually([&] { return tag_target("library/app", "stable") == v1.digest(); }));
  EXPECT_TRUE(eventually([&] { return !agent->status().feed_error.empty(); }));
  EXPECT_NE(agent->status().feed_error.find("state.json"), std::string::npos)
      << agent->status().feed_error;
}

TEST_F(AgentTest, AnUnreadableStateFileKeepsTheLastGoodState) {
  const auto v1 = testutil::make_test_image("v1");
  upstream_->add(v1);
  write_state(harbor_file({harbor_entry("library/app", v1.digest(), R"("stable")")}));
  auto agent = start_agent();
  ASSERT_TRUE(eventually([&] { return !agent->status().applied_state_digest.empty(); }));
  const auto applied = agent->status().applied_state_digest;
  write_state(R"({"artifacts": "nope"})");
  ASSERT_TRUE(eventually([&] { return !agent->status().feed_error.empty(); }));
  EXPECT_EQ(agent->status().state_digest, applied);
  EXPECT_EQ(tag_target("library/app", "stable"), v1.digest());
}

}  // namespace
}  // namespace satellite::agent
