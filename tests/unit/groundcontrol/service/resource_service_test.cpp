// ResourceService with FleetSync and FleetView on a real database, on both engines: what
// the management API does to the fleet, and how a change reaches every replica's view.
#include "groundcontrol/service/resource_service.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "common/log/logger.hpp"
#include "groundcontrol/model/harbor_state_file.hpp"
#include "store/store_test_support.hpp"
#include "testutil/fake_clock.hpp"

namespace groundcontrol::service {
namespace {

using common::ErrorCode;
using model::Kind;
using nlohmann::json;
using store::test::Backend;
using store::test::StoreTest;

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// One replica: its view, the sync that feeds it, the service that writes through it.
struct Replica {
  explicit Replica(common::sql::Database& db, const common::Clock& clock)
      : sync(db, view, common::log::null_logger()),
        service(db, clock, sync, [this] { return "uid-" + std::to_string(++uids); }) {}
  FleetView view;
  FleetSync sync;
  ResourceService service;
  int uids = 0;
};

class ResourceServiceTest : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    if (HasFatalFailure()) return;
    replica_ = std::make_unique<Replica>(*db_, clock_);
    ASSERT_TRUE(replica_->sync.load());
    ASSERT_TRUE(replica_->service.ensure_default_config());
  }
  store::Resource must(common::Result<store::Resource> result) {
    EXPECT_TRUE(result) << result.error().message() << " " << result.error().detail();
    return result ? *result : store::Resource{};
  }
  ResourceService& service() { return replica_->service; }

  testutil::FakeClock clock_;
  std::unique_ptr<Replica> replica_;
  const Actor admin_{"user:admin"};
};

const json kGroupBySelector = json::parse(
    R"({"apiVersion":"groundcontrol/v1","kind":"Group","metadata":{"name":"edge"},
        "spec":{"selector":{"matchLabels":{"tier":"edge"}}}})");
const json kGroupByName =
    json::parse(R"({"metadata":{"name":"berlin"},"spec":{"satellites":["sat-1"]}})");
const json kSatellite =
    json::parse(R"({"metadata":{"name":"sat-1","labels":{"tier":"edge"}},"spec":{}})");

TEST_P(ResourceServiceTest, HarborsSampleInTwoGroupsGivesTheSatelliteTheirUnion) {
  must(service().create(Kind::kGroup, kGroupBySelector, admin_));
  must(service().create(Kind::kGroup, kGroupByName, admin_));
  must(service().create(Kind::kSatellite, kSatellite, admin_));
  auto sample =
      model::parse_harbor_state_file(read_file(TEST_DATA_DIR "/harbor-state-sample.json"));
  ASSERT_TRUE(sample);
  // Half the sample to each group: the union is the whole sample.
  model::HarborStateFile first{sample->registry, {}}, second{sample->registry, {}};
  for (std::size_t i = 0; i < sample->entries.size(); ++i)
    (i % 2 == 0 ? first : second).entries.push_back(sample->entries[i]);
  auto to_edge = service().ingest_harbor_state("edge", first, false, {"harbor:edge"});
  ASSERT_TRUE(to_edge);
  EXPECT_EQ(to_edge->upserted, first.entries.size());
  auto to_berlin = service().ingest_harbor_state("berlin", second, false, {"harbor:berlin"});
  ASSERT_TRUE(to_berlin);
  EXPECT_EQ(to_berlin->upserted, second.entries.size());

  const auto state = replica_->view.state_of("sat-1");
  ASSERT_TRUE(state);
  EXPECT_EQ(state->groups, (std::vector<std::string>{"berlin", "edge"}));
  EXPECT_EQ(state->artifacts.size(), 10u);  // 10 (repository, digest) pairs, 3 digests
  for (const auto& artifact : state->artifacts) EXPECT_FALSE(artifact.repository.empty());

  // A full run replaces the group's Harbor set; deleted entries leave it.
  model::HarborStateFile full{"harbor", {first.entries.front()}};
  auto replaced = service().ingest_harbor_state("edge", full, true, {"harbor:edge"});
  ASSERT_TRUE(replaced);
  auto removal = first.entries.front();
  removal.deleted = true;
  auto removed =
      service().ingest_harbor_state("edge", {"harbor", {removal}}, false, {"harbor:edge"});
  ASSERT_TRUE(removed);
  EXPECT_EQ(removed->removed, 1u);
  EXPECT_TRUE(service().harbor_artifacts("edge")->empty());
  EXPECT_EQ(replica_->view.state_of("sat-1")->artifacts.size(), second.entries.size());

  const auto unknown = service().ingest_harbor_state("nowhere", first, false, {"harbor:x"});
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code(), ErrorCode::kNotFound);
}

TEST_P(ResourceServiceTest, TheDigestChangesWithLabelsMembershipAndConfig) {
  must(service().create(Kind::kGroup, kGroupBySelector, admin_));
  must(service().create(Kind::kSatellite, kSatellite, admin_));
  const auto before = replica_->view.state_of("sat-1")->state_digest;
  auto wakeup = common::http::Wakeup::create();
  const auto watch = replica_->view.watch("sat-1", wakeup);
  must(service().patch(Kind::kSatellite, "sat-1",
                       json::parse(R"({"metadata":{"labels":{"tier":null}}})"), admin_));
  EXPECT_TRUE(wakeup->fired());
  EXPECT_TRUE(replica_->view.state_of("sat-1")->groups.empty());
  const auto unlabelled = replica_->view.state_of("sat-1")->state_digest;
  EXPECT_NE(unlabelled, before);
  must(service().patch(Kind::kSatelliteConfig, "default",
                       json::parse(R"({"spec":{"upstream":{"url":"https://harbor.example"}}})"),
                       admin_));
  EXPECT_NE(replica_->view.state_of("sat-1")->state_digest, unlabelled);
  EXPECT_EQ(replica_->view.state_of("sat-1")->upstream_url, "https://harbor.example");
}

TEST_P(ResourceServiceTest, BadDocumentsAndStaleVersionsChangeNothing) {
  const auto typo = service().create(
      Kind::kGroup, json::parse(R"({"metadata":{"name":"g"},"spec":{"satelites":["a"]}})"), admin_);
  ASSERT_FALSE(typo);
  EXPECT_EQ(typo.error().message(), "spec.satelites: unknown field");
  const auto wrong_kind = service().create(
      Kind::kGroup, json::parse(R"({"kind":"Satellite","metadata":{"name":"g"}})"), admin_);
  ASSERT_FALSE(wrong_kind);
  EXPECT_TRUE(wrong_kind.error().message().starts_with("kind:"));

  const auto created = must(service().create(Kind::kGroup, kGroupByName, admin_));
  auto stale = kGroupByName;
  stale["metadata"]["resourceVersion"] = std::to_string(created.meta.resource_version);
  must(service().replace(Kind::kGroup, "berlin", stale, admin_));  // current: accepted
  const auto conflict = service().replace(Kind::kGroup, "berlin", stale, admin_);
  ASSERT_FALSE(conflict);
  EXPECT_EQ(conflict.error().code(), ErrorCode::kConflict);
  const auto renamed = service().replace(Kind::kGroup, "other", kGroupByName, admin_);
  ASSERT_FALSE(renamed);
  EXPECT_EQ(renamed.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_FALSE(service().remove(Kind::kSatelliteConfig, "default", 0, admin_));

  auto events = service().events({"Group", "berlin"});
  ASSERT_TRUE(events);
  ASSERT_EQ(events->size(), 2u);  // create and the one accepted replace
  EXPECT_EQ(events->at(0).verb, "create");
  EXPECT_EQ(events->at(1).verb, "replace");
  EXPECT_EQ(events->at(1).actor, "user:admin");
}

TEST_P(ResourceServiceTest, ListsFilterBySelectorsAndPage) {
  for (int i = 0; i < 25; ++i) {
    auto satellite = kSatellite;
    satellite["metadata"]["name"] = "sat-" + std::to_string(100 + i);
    satellite["metadata"]["labels"]["tier"] = i % 5 == 0 ? "core" : "edge";
    must(service().create(Kind::kSatellite, satellite, admin_));
  }
  std::vector<std::string> names;
  ListQuery query{"tier=edge", "", 7, ""};
  for (int pages = 0; pages < 10; ++pages) {
    auto page = service().list(Kind::kSatellite, query);
    ASSERT_TRUE(page) << page.error().message();
    for (const auto& item : page->items) names.push_back(item.meta.name);
    if (page->continue_token.empty()) break;
    query.continue_token = page->continue_token;
  }
  EXPECT_EQ(names.size(), 20u);
  EXPECT_TRUE(std::is_sorted(names.begin(), names.end()));
  auto by_name = service().list(Kind::kSatellite, {"", "metadata.name=sat-103", 10, ""});
  ASSERT_TRUE(by_name);
  ASSERT_EQ(by_name->items.size(), 1u);
  EXPECT_EQ(by_name->items[0].meta.name, "sat-103");
  for (const auto& bad :
       {ListQuery{"tier=", "", 0, ""}, ListQuery{"=x", "", 5, ""},
        ListQuery{"", "spec.config=x", 5, ""}, ListQuery{"", "", 5, "Not a name"}})
    EXPECT_EQ(service().list(Kind::kSatellite, bad).error().code(), ErrorCode::kInvalidArgument);
}

TEST_P(ResourceServiceTest, ListsSortByAFieldAndPageInThatOrder) {
  // Created a second apart, names in another order than creation, labels to filter by.
  const std::vector<std::string> created = {"sat-c", "sat-a", "sat-e", "sat-b", "sat-d"};
  for (std::size_t i = 0; i < created.size(); ++i) {
    auto satellite = kSatellite;
    satellite["metadata"]["name"] = created[i];
    satellite["metadata"]["labels"]["tier"] = created[i] == "sat-b" ? "core" : "edge";
    must(service().create(Kind::kSatellite, satellite, admin_));
    clock_.advance(std::chrono::seconds(1));
  }
  const auto read_all = [&](ListQuery query) {
    std::vector<std::string> names;
    for (int pages = 0; pages < 10; ++pages) {
      auto page = service().list(Kind::kSatellite, query);
      EXPECT_TRUE(page) << page.error().message();
      if (!page) break;
      EXPECT_LE(page->items.size(), query.limit);
      for (const auto& item : page->items) names.push_back(item.meta.name);
      if (page->continue_token.empty()) break;
      query.continue_token = page->continue_token;
    }
    return names;
  };
  EXPECT_EQ(read_all({"", "", 2, "", "-metadata.creationTimestamp"}),
            (std::vector<std::string>{"sat-d", "sat-b", "sat-e", "sat-a", "sat-c"}));
  EXPECT_EQ(read_all({"tier=edge", "", 3, "", "metadata.creationTimestamp"}),
            (std::vector<std::string>{"sat-c", "sat-a", "sat-e", "sat-d"}));
  // Equal values (no satellite has reported) fall back to the name, in the same direction.
  EXPECT_EQ(read_all({"", "", 4, "", "-status.sync"}),
            (std::vector<std::string>{"sat-e", "sat-d", "sat-c", "sat-b", "sat-a"}));
  EXPECT_EQ(read_all({"", "", 1, "", "-metadata.name"}),
            (std::vector<std::string>{"sat-e", "sat-d", "sat-c", "sat-b", "sat-a"}));

  auto first = service().list(Kind::kSatellite, {"", "", 2, "", "-metadata.creationTimestamp"});
  ASSERT_TRUE(first);
  for (const auto& bad : {ListQuery{"", "", 2, first->continue_token, "metadata.creationTimestamp"},
                          ListQuery{"", "", 2, first->continue_token, ""},
                          ListQuery{"", "", 2, "sat-a", "-metadata.creationTimestamp"},
                          ListQuery{"", "", 2, "", "spec.config"}})
    EXPECT_EQ(service().list(Kind::kSatellite, bad).error().code(), ErrorCode::kInvalidArgument)
        << bad.sort_by << " " << bad.continue_token;
  EXPECT_EQ(service().list(Kind::kGroup, {"", "", 2, "", "status.sync"}).error().code(),
            ErrorCode::kInvalidArgument);
}

// Replicas share a PostgreSQL database (a SQLite deployment is one process).
class ReplicaTest : public ResourceServiceTest {};

TEST_P(ReplicaTest, AChangeThroughOneReplicaWakesALongPollOnAnother) {
  auto second_db = open_again();
  Replica second(*second_db, clock_);
  ASSERT_TRUE(second.sync.load());
  auto following = second.sync.follow();
  ASSERT_TRUE(following) << following.error().message();
  must(service().create(Kind::kGroup, kGroupBySelector, admin_));
  must(service().create(Kind::kSatellite, kSatellite, admin_));
  // Replica B learns of the satellite from the notification.
  for (int i = 0; i < 500 && !second.view.state_of("sat-1"); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  ASSERT_TRUE(second.view.state_of("sat-1"));

  auto wakeup = common::http::Wakeup::create();
  const auto watch = second.view.watch("sat-1", wakeup);
  const auto began = std::chrono::steady_clock::now();
  auto group = kGroupBySelector;
  group["spec"]["artifacts"] = json::parse(R"([{"repository":"library/nginx","digest":"sha256:)" +
                                           std::string(64, 'a') + R"(","tags":["1.25"]}])");
  must(service().replace(Kind::kGroup, "edge", group, admin_));
  for (int i = 0; i < 500 && !wakeup->fired(); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_TRUE(wakeup->fired());
  EXPECT_LT(std::chrono::steady_clock::now() - began, std::chrono::seconds(2));
  EXPECT_EQ(second.view.state_of("sat-1")->state_digest,
            replica_->view.state_of("sat-1")->state_digest);
}

INSTANTIATE_TEST_SUITE_P(Backends, ResourceServiceTest, store::test::service_backends(),
                         store::test::backend_name);
INSTANTIATE_TEST_SUITE_P(Backends, ReplicaTest, ::testing::Values(Backend::kPostgres),
                         store::test::backend_name);

}  // namespace
}  // namespace groundcontrol::service
