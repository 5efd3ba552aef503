// HarborRobotAccounts against the fake Harbor (Harbor v2.15.2's swagger and robot rules):
// a satellite's robot is created pull-only on exactly its projects, updated to exactly a
// new set, its secret refreshed (the old one stops working) and deleted.
#include "groundcontrol/registry/harbor_robot_accounts.hpp"

#include <map>

#include "harbor_test_fixture.hpp"

namespace groundcontrol::registry {
namespace {

using common::ErrorCode;
using Rights = std::map<std::string, std::set<std::string>>;  // project -> "resource:action"

// The project rights a robot body (as sent to or answered by Harbor) grants.
Rights rights_of(const nlohmann::json& robot) {
  Rights out;
  for (const auto& permission : robot.at("permissions")) {
    EXPECT_EQ(permission.at("kind"), "project");
    auto& actions = out[permission.at("namespace").get<std::string>()];
    for (const auto& access : permission.at("access")) {
      EXPECT_NE(access.value("effect", "allow"), "deny");
      actions.insert(access.at("resource").get<std::string>() + ":" +
                     access.at("action").get<std::string>());
    }
  }
  return out;
}

const std::set<std::string> kPull = {"repository:pull", "artifact:read"};

class HarborRobotAccountsTest : public HarborTest {
 protected:
  void SetUp() override {
    harbor_.seed({{"projects", {{{"name", "p1"}}, {{"name", "p2"}}, {{"name", "p3"}}}}});
    api_ = api();
  }
  // Whether `name`:`secret` authenticates at Harbor: a robot without project:read is then
  // refused p1 with 403, anyone unauthenticated with 401.
  int status_of(const std::string& name, const std::string& secret) {
    return harbor_.status_as(name, secret, "/projects/p1");
  }
  // The robot as Harbor keeps it (read as the admin).
  nlohmann::json robot(std::int64_t id) {
    auto got = api_->call("GET", "/robots/" + std::to_string(id), "the robot");
    EXPECT_TRUE(got.has_value()) << got.error().message();
    return got ? *got : nlohmann::json();
  }

  std::unique_ptr<HarborApiClient> api_;
};

TEST_F(HarborRobotAccountsTest, CreatesAPullOnlySystemRobotOnExactlyTheProjects) {
  HarborRobotAccounts robots(*api_);
  auto made = robots.ensure("edge-1", {"p1", "p2"}, std::chrono::days(30));
  ASSERT_TRUE(made.has_value()) << made.error().message();
  EXPECT_EQ(made->name, "robot$satellite-edge-1");
  ASSERT_TRUE(made->secret.has_value());
  ASSERT_TRUE(made->expires_at.has_value());
  EXPECT_GT(*made->expires_at, std::chrono::system_clock::now() + std::chrono::days(29));

  const auto posts = calls_of("POST", "/api/v2.0/robots");
  ASSERT_EQ(posts.size(), 1U);
  const auto& sent = posts[0]["body"];
  EXPECT_EQ(sent["level"], "system");
  EXPECT_EQ(sent["duration"], 30);
  EXPECT_EQ(rights_of(sent), (Rights{{"p1", kPull}, {"p2", kPull}}));
  EXPECT_EQ(rights_of(robot(made->id)), (Rights{{"p1", kPull}, {"p2", kPull}}));
  EXPECT_EQ(status_of(made->name, *made->secret), 403);  // authenticated, not granted
  EXPECT_EQ(status_of(made->name, "Wrong-secret-1"), 401);

  // The same set again: found by name, nothing changed, no secret.
  harbor_.clear_calls();
  auto again = robots.ensure("edge-1", {"p2", "p1"}, std::chrono::days(30));
  ASSERT_TRUE(again.has_value()) << again.error().message();
  EXPECT_EQ(again->id, made->id);
  EXPECT_FALSE(again->secret.has_value());
  for (const auto& call : harbor_.calls()) EXPECT_EQ(call["method"], "GET") << call.dump();
}

TEST_F(HarborRobotAccountsTest, AChangedSetUpdatesTheRightsToExactlyIt) {
  HarborRobotAccounts robots(*api_);
  auto made = robots.ensure("edge-1", {"p1", "p2"}, std::chrono::days(30));
  ASSERT_TRUE(made.has_value()) << made.error().message();
  auto changed = robots.ensure("edge-1", {"p2", "p3"}, std::nullopt);
  ASSERT_TRUE(changed.has_value()) << changed.error().message();
  EXPECT_EQ(changed->id, made->id);
  EXPECT_FALSE(changed->secret.has_value());
  EXPECT_FALSE(changed->expires_at.has_value());  // never expires now
  const auto puts = calls_of("PUT", "/api/v2.0/robots/" + std::to_string(made->id));
  ASSERT_EQ(puts.size(), 1U);
  EXPECT_EQ(rights_of(puts[0]["body"]), (Rights{{"p2", kPull}, {"p3", kPull}}));
  EXPECT_EQ(rights_of(robot(made->id)), (Rights{{"p2", kPull}, {"p3", kPull}}));
  EXPECT_EQ(calls_of("POST", "/api/v2.0/robots").size(), 1U);
  // The secret made at creation still works.
  EXPECT_EQ(status_of(made->name, *made->secret), 403);
}

TEST_F(HarborRobotAccountsTest, ARobotDisabledInHarborIsEnabledAgain) {
  HarborRobotAccounts robots(*api_);
  auto made = robots.ensure("edge-1", {"p1"}, std::chrono::days(7));
  ASSERT_TRUE(made.has_value()) << made.error().message();
  auto body = robot(made->id);
  body["disable"] = true;
  for (const auto* key : {"id", "editable", "creator_type", "creator_ref", "creation_time",
                          "update_time", "expires_at"}) {
    body.erase(key);
  }
  ASSERT_TRUE(api_->call("PUT", "/robots/" + std::to_string(made->id), "the robot", body));
  EXPECT_EQ(status_of(made->name, *made->secret), 401);
  auto again = robots.ensure("edge-1", {"p1"}, std::chrono::days(7));
  ASSERT_TRUE(again.has_value()) << again.error().message();
  EXPECT_EQ(robot(made->id).value("disable", true), false);
  EXPECT_EQ(status_of(made->name, *made->secret), 403);
}

TEST_F(HarborRobotAccountsTest, RefreshGivesANewSecretAndTheOldOneStopsWorking) {
  HarborRobotAccounts robots(*api_);
  auto made = robots.ensure("edge-1", {"p1"}, std::chrono::days(7));
  ASSERT_TRUE(made.has_value()) << made.error().message();
  auto secret = robots.refresh_secret(made->id);
  ASSERT_TRUE(secret.has_value()) << secret.error().message();
  EXPECT_NE(*secret, *made->secret);
  EXPECT_EQ(status_of(made->name, *secret), 403);
  EXPECT_EQ(status_of(made->name, *made->secret), 401);
  auto gone = robots.refresh_secret(made->id + 100);
  ASSERT_FALSE(gone.has_value());
  EXPECT_EQ(gone.error().code(), ErrorCode::kNotFound);
}

TEST_F(HarborRobotAccountsTest, RemoveDeletesAndAnAbsentRobotIsFine) {
  HarborRobotAccounts robots(*api_);
  auto made = robots.ensure("edge-1", {"p1"}, std::chrono::days(7));
  ASSERT_TRUE(made.has_value()) << made.error().message();
  ASSERT_TRUE(robots.remove(made->id).has_value());
  EXPECT_EQ(calls_of("DELETE", "/api/v2.0/robots/" + std::to_string(made->id)).size(), 1U);
  EXPECT_EQ(status_of(made->name, *made->secret), 401);
  auto got = api_->call("GET", "/robots/" + std::to_string(made->id), "the robot");
  ASSERT_FALSE(got.has_value());
  EXPECT_EQ(got.error().code(), ErrorCode::kNotFound);
  EXPECT_TRUE(robots.remove(made->id).has_value());
  // Made again afterwards, with a new secret.
  auto again = robots.ensure("edge-1", {"p1"}, std::chrono::days(7));
  ASSERT_TRUE(again.has_value()) << again.error().message();
  EXPECT_TRUE(again->secret.has_value());
}

TEST_F(HarborRobotAccountsTest, RefusesWhatHarborWouldRefuse) {
  HarborRobotAccounts robots(*api_);
  auto unknown = robots.ensure("edge-1", {"p1", "nope"}, std::chrono::days(7));
  ASSERT_FALSE(unknown.has_value());
  EXPECT_EQ(unknown.error().code(), ErrorCode::kNotFound) << unknown.error().message();
  auto empty = robots.ensure("edge-1", {}, std::chrono::days(7));
  ASSERT_FALSE(empty.has_value());
  EXPECT_EQ(empty.error().code(), ErrorCode::kInvalidArgument);
  auto bad_name = robots.ensure("Edge--1", {"p1"}, std::chrono::days(7));
  ASSERT_FALSE(bad_name.has_value());
  EXPECT_EQ(bad_name.error().code(), ErrorCode::kInvalidArgument);
  auto short_lived = robots.ensure("edge-1", {"p1"}, std::chrono::days(0));
  ASSERT_FALSE(short_lived.has_value());
  EXPECT_EQ(short_lived.error().code(), ErrorCode::kInvalidArgument);
}

TEST_F(HarborRobotAccountsTest, WrongAdminCredentialsArePermissionDenied) {
  auto wrong = HarborApiClient::create(endpoint("not-the-password"), options());
  ASSERT_TRUE(wrong.has_value());
  HarborRobotAccounts robots(**wrong);
  auto made = robots.ensure("edge-1", {"p1"}, std::chrono::days(7));
  ASSERT_FALSE(made.has_value());
  EXPECT_EQ(made.error().code(), ErrorCode::kPermissionDenied);
  EXPECT_NE(made.error().message().find("check the credentials"), std::string::npos);
  EXPECT_EQ(made.error().message().find("not-the-password"), std::string::npos);
}

}  // namespace
}  // namespace groundcontrol::registry
