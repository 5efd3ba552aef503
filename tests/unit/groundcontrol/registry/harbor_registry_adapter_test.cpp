// HarborRegistryAdapter against the fake Harbor (Harbor v2.15.2's swagger): projects,
// repositories and artifacts across several pages, push times and labels, a repository
// with a slash, wrong credentials, and injected failures and garbage.
#include "groundcontrol/registry/harbor_registry_adapter.hpp"

#include "common/time_format.hpp"
#include "harbor_test_fixture.hpp"

namespace groundcontrol::registry {
namespace {

using common::ErrorCode;

std::string digest_of(char c) {
  return "sha256:" + std::string(64, c);
}

class HarborRegistryAdapterTest : public HarborTest {
 protected:
  void SetUp() override {
    harbor_.seed(nlohmann::json::parse(R"({
      "labels": [{"name": "prod"}, {"name": "edge"}],
      "projects": [
        {"name": "p1", "repositories": [
          {"name": "nginx", "artifacts": [
            {"digest": ")" + digest_of('a') +
                                       R"(", "tags": ["latest", "1.25"],
             "labels": ["prod", "edge"], "push_time": "2026-01-02T03:04:05Z"},
            {"digest": ")" + digest_of('b') +
                                       R"(", "tags": ["1.24"],
             "push_time": "2025-12-31T23:00:00+02:00"},
            {"digest": ")" + digest_of('c') +
                                       R"(", "tags": [], "push_time": "2026-01-03T00:00:00Z"},
            {"digest": ")" + digest_of('d') +
                                       R"(", "tags": ["old"], "labels": ["edge"],
             "push_time": "2024-06-01T12:00:00Z"}]},
          {"name": "team/app", "artifacts": [
            {"digest": ")" + digest_of('e') +
                                       R"(", "tags": ["v1"]}]}]},
        {"name": "p2", "repositories": [{"name": "a"}, {"name": "b"}, {"name": "c"}]},
        {"name": "p3"}]})"));
  }
};

TEST_F(HarborRegistryAdapterTest, ListsEveryRepositoryOfEveryProjectAcrossPages) {
  auto harbor = adapter();
  ASSERT_TRUE(harbor->test().has_value()) << harbor->test().error().message();
  auto repositories = harbor->repositories();
  ASSERT_TRUE(repositories.has_value()) << repositories.error().message();
  EXPECT_EQ(*repositories,
            (std::vector<std::string>{"p1/nginx", "p1/team/app", "p2/a", "p2/b", "p2/c"}));
  // 4 projects (with Harbor's "library") and 3 repositories of p2 in pages of 2.
  EXPECT_EQ(calls_of("GET", "/api/v2.0/projects").size(), 2U);
  EXPECT_EQ(calls_of("GET", "/api/v2.0/projects/p2/repositories").size(), 2U);
}

TEST_F(HarborRegistryAdapterTest, ArtifactsCarryTagsPushTimesAndLabelsWithoutUntaggedOnes) {
  auto artifacts = adapter()->artifacts("p1/nginx");
  ASSERT_TRUE(artifacts.has_value()) << artifacts.error().message();
  ASSERT_EQ(artifacts->size(), 3U);  // the untagged 'c' is skipped
  const auto& a = (*artifacts)[0];
  EXPECT_EQ(a.repository, "p1/nginx");
  EXPECT_EQ(a.digest.str(), digest_of('a'));
  EXPECT_EQ(a.tags, (std::vector<std::string>{"1.25", "latest"}));
  EXPECT_EQ(a.labels, (std::vector<std::string>{"edge", "prod"}));
  EXPECT_EQ(a.media_type, "application/vnd.oci.image.manifest.v1+json");
  ASSERT_TRUE(a.push_time.has_value());
  EXPECT_EQ(common::format_rfc3339(*a.push_time), "2026-01-02T03:04:05Z");
  const auto& b = (*artifacts)[1];
  EXPECT_EQ(b.digest.str(), digest_of('b'));
  EXPECT_TRUE(b.labels.empty());
  ASSERT_TRUE(b.push_time.has_value());
  EXPECT_EQ(common::format_rfc3339(*b.push_time), "2025-12-31T21:00:00Z");
  EXPECT_EQ((*artifacts)[2].tags, (std::vector<std::string>{"old"}));
  // 4 artifacts in pages of 2, with tags and labels asked for.
  const auto pages = calls_of("GET", "/api/v2.0/projects/p1/repositories/nginx/artifacts");
  ASSERT_EQ(pages.size(), 2U);
  EXPECT_EQ(pages[0]["query"]["with_label"], nlohmann::json::array({"true"}));
  EXPECT_EQ(pages[0]["query"]["with_tag"], nlohmann::json::array({"true"}));
}

TEST_F(HarborRegistryAdapterTest, RepositoryWithSlashIsEncodedTwice) {
  auto artifacts = adapter()->artifacts("p1/team/app");
  ASSERT_TRUE(artifacts.has_value()) << artifacts.error().message();
  ASSERT_EQ(artifacts->size(), 1U);
  EXPECT_EQ((*artifacts)[0].tags, (std::vector<std::string>{"v1"}));
  EXPECT_EQ(calls_of("GET", "/api/v2.0/projects/p1/repositories/team%252Fapp/artifacts").size(),
            1U);
}

TEST_F(HarborRegistryAdapterTest, UnknownRepositoriesAreNotFound) {
  auto harbor = adapter();
  for (const auto* name : {"p1/missing", "nope/app", "noproject"}) {
    auto artifacts = harbor->artifacts(name);
    ASSERT_FALSE(artifacts.has_value()) << name;
    EXPECT_EQ(artifacts.error().code(), ErrorCode::kNotFound) << artifacts.error().message();
  }
}

TEST_F(HarborRegistryAdapterTest, WrongCredentialsArePermissionDenied) {
  auto harbor = adapter("not-the-password");
  auto tested = harbor->test();
  ASSERT_FALSE(tested.has_value());
  EXPECT_EQ(tested.error().code(), ErrorCode::kPermissionDenied);
  EXPECT_NE(tested.error().message().find("check the credentials"), std::string::npos)
      << tested.error().message();
  EXPECT_EQ(tested.error().message().find("not-the-password"), std::string::npos);
  // Harbor shows anonymous callers the public projects only: here "library", empty.
  auto repositories = harbor->repositories();
  ASSERT_TRUE(repositories.has_value());
  EXPECT_TRUE(repositories->empty());
  EXPECT_FALSE(harbor->artifacts("p1/nginx").has_value());
}

TEST_F(HarborRegistryAdapterTest, FailuresAndGarbageAreUnavailableNamingTheEndpoint) {
  auto harbor = adapter();
  harbor_.fail("/api/v2.0/health", 503);
  auto tested = harbor->test();
  ASSERT_FALSE(tested.has_value());
  EXPECT_EQ(tested.error().code(), ErrorCode::kUnavailable);
  EXPECT_NE(tested.error().message().find(harbor_.url()), std::string::npos)
      << tested.error().message();

  harbor_.fail("/api/v2.0/projects", 500, "GET");
  auto repositories = harbor->repositories();
  ASSERT_FALSE(repositories.has_value());
  EXPECT_EQ(repositories.error().code(), ErrorCode::kUnavailable);
  EXPECT_NE(repositories.error().message().find("HTTP 500"), std::string::npos);
  EXPECT_NE(repositories.error().message().find(harbor_.url()), std::string::npos);

  harbor_.fail("/api/v2.0/projects/p1/repositories/nginx/artifacts", 200, "GET", "<html>garbage");
  auto artifacts = harbor->artifacts("p1/nginx");
  ASSERT_FALSE(artifacts.has_value());
  EXPECT_EQ(artifacts.error().code(), ErrorCode::kUnavailable);
  EXPECT_NE(artifacts.error().message().find("not JSON"), std::string::npos)
      << artifacts.error().message();

  harbor_.fail("/api/v2.0/health", 200, "GET", R"({"status": "unhealthy", "components":
               [{"name": "database", "status": "unhealthy"}]})");
  tested = harbor->test();
  ASSERT_FALSE(tested.has_value());
  EXPECT_EQ(tested.error().code(), ErrorCode::kUnavailable);
  EXPECT_NE(tested.error().message().find("database"), std::string::npos);

  // After the injected answers, the same calls work again.
  EXPECT_TRUE(harbor->test().has_value());
  EXPECT_TRUE(harbor->repositories().has_value());
}

TEST_F(HarborRegistryAdapterTest, AListLongerThanTheCapIsRefused) {
  auto capped = options();
  capped.max_list_items = 3;
  auto made = HarborRegistryAdapter::create(endpoint(), capped, clock_);
  ASSERT_TRUE(made.has_value());
  auto artifacts = (*made)->artifacts("p1/nginx");  // 4 listed
  ASSERT_FALSE(artifacts.has_value());
  EXPECT_EQ(artifacts.error().code(), ErrorCode::kTooLarge) << artifacts.error().message();
  auto repositories = (*made)->repositories();  // 4 projects listed
  ASSERT_FALSE(repositories.has_value());
  EXPECT_EQ(repositories.error().code(), ErrorCode::kTooLarge);
}

TEST_F(HarborRegistryAdapterTest, UnreachableHarborIsUnavailable) {
  auto made = HarborRegistryAdapter::create(
      {"http://127.0.0.1:" + std::to_string(testutil::free_loopback_port()), "admin", "pw"},
      options(), clock_);
  ASSERT_TRUE(made.has_value());
  auto tested = (*made)->test();
  ASSERT_FALSE(tested.has_value());
  EXPECT_EQ(tested.error().code(), ErrorCode::kUnavailable) << tested.error().message();
}

TEST(HarborRepositorySegment, EncodesTwiceAsHarborRequires) {
  EXPECT_EQ(harbor_repository_segment("a/b"), "a%252Fb");
  EXPECT_EQ(harbor_repository_segment("nginx"), "nginx");
  EXPECT_EQ(harbor_repository_segment("a b"), "a%2520b");
}

}  // namespace
}  // namespace groundcontrol::registry
