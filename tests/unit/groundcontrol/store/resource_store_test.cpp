// ResourceStore, ArtifactSetStore and EventStore: one suite, run on SQLite and on
// PostgreSQL.
#include "groundcontrol/store/resource_store.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <set>
#include <thread>
#include <vector>

#include "groundcontrol/store/artifact_set_store.hpp"
#include "groundcontrol/store/event_store.hpp"
#include "store/store_test_support.hpp"

namespace groundcontrol::store::test {
namespace {

using common::ErrorCode;
using common::sql::Connection;

constexpr std::string_view kNow = "2026-12-01T12:00:00Z";

Resource group(std::string name, std::string spec = "{\"artifacts\":[]}") {
  Resource r{"Group", {}, std::move(spec), "{}"};
  r.meta.name = std::move(name);
  r.meta.labels = {{"site", "berlin"}};
  return r;
}

class ResourceStoreTest : public StoreTest {
 protected:
  Resource create(Resource r) {
    Resource out;
    in_transaction(*db_, [&](Connection& c) -> common::Status {
      auto created = store_.create(c, std::move(r), "uid-" + r.meta.name, kNow);
      if (!created) return common::fail(created.error());
      out = *created;
      return {};
    });
    return out;
  }
  common::Status try_write(const std::function<common::Status(Connection&)>& fn) {
    return db_->transact(fn);
  }
  std::int64_t revision() {
    std::int64_t out = -1;
    in_transaction(*db_, [&](Connection& c) -> common::Status {
      auto r = store_.revision(c);
      if (!r) return common::fail(r.error());
      out = *r;
      return {};
    });
    return out;
  }
  ResourceStore store_;
};

TEST_P(ResourceStoreTest, ACreatedResourceReadsBackWithItsServerFields) {
  const auto created = create(group("edge"));
  EXPECT_EQ(created.meta.resource_version, 1);
  EXPECT_EQ(created.meta.generation, 1);
  EXPECT_EQ(created.meta.uid, "uid-edge");
  EXPECT_EQ(created.meta.creation_timestamp, kNow);
  in_transaction(*db_, [&](Connection& c) -> common::Status {
    auto got = store_.get(c, "Group", "edge");
    EXPECT_TRUE(got);
    if (!got) return {};
    EXPECT_EQ(got->meta.labels.at("site"), "berlin");
    EXPECT_EQ(got->spec, "{\"artifacts\":[]}");
    EXPECT_EQ(got->meta.resource_version, 1);
    EXPECT_EQ(store_.get(c, "Group", "other").error().code(), ErrorCode::kNotFound);
    EXPECT_EQ(store_.get(c, "Satellite", "edge").error().code(), ErrorCode::kNotFound);
    return {};
  });
}

TEST_P(ResourceStoreTest, ADuplicateIsRefusedAndLeavesNoTrace) {
  create(group("edge"));
  const auto status = try_write([&](Connection& c) -> common::Status {
    auto again = store_.create(c, group("edge", "{\"other\":1}"), "uid-2", kNow);
    if (!again) return common::fail(again.error());
    return {};
  });
  ASSERT_FALSE(status);
  EXPECT_EQ(status.error().code(), ErrorCode::kAlreadyExists);
  EXPECT_EQ(revision(), 1);  // the revision taken by the refused create rolled back
}

TEST_P(ResourceStoreTest, ReplaceChecksTheVersionAndCountsSpecChanges) {
  create(group("edge"));
  auto stale = group("edge", "{\"artifacts\":[1]}");
  stale.meta.resource_version = 7;
  const auto refused = try_write([&](Connection& c) -> common::Status {
    auto r = store_.replace(c, stale, kNow);
    return r ? common::Status() : common::fail(r.error());
  });
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code(), ErrorCode::kConflict);

  auto relabel = group("edge");
  relabel.meta.labels = {{"site", "paris"}};
  relabel.meta.resource_version = 1;
  Resource after_relabel, after_spec;
  in_transaction(*db_, [&](Connection& c) -> common::Status {
    auto r = store_.replace(c, relabel, kNow);
    if (!r) return common::fail(r.error());
    after_relabel = *r;
    auto s = store_.replace(c, group("edge", "{\"artifacts\":[2]}"), kNow);
    if (!s) return common::fail(s.error());
    after_spec = *s;
    return {};
  });
  EXPECT_EQ(after_relabel.meta.generation, 1);  // labels are not the spec
  EXPECT_EQ(after_relabel.meta.resource_version, 2);
  EXPECT_EQ(after_spec.meta.generation, 2);
  EXPECT_EQ(after_spec.meta.resource_version, 3);
  EXPECT_EQ(after_spec.meta.uid, "uid-edge");
  EXPECT_EQ(after_spec.meta.creation_timestamp, kNow);
}

TEST_P(ResourceStoreTest, TheChangeLogHoldsEveryWriteInOrder) {
  create(group("a"));
  create(group("b"));
  in_transaction(*db_, [&](Connection& c) -> common::Status {
    if (auto r = store_.update_status(c, "Group", "a", "{\"members\":3}", kNow); !r)
      return common::fail(r.error());
    if (auto r = store_.remove(c, "Group", "b", 0, kNow); !r) return common::fail(r.error());
    return {};
  });
  in_transaction(*db_, [&](Connection& c) -> common::Status {
    auto changes = store_.changes_after(c, 0, 100);
    if (!changes) return common::fail(changes.error());
    EXPECT_EQ(changes->size(), 4u);
    if (changes->size() != 4u) return {};
    for (std::size_t i = 0; i < 4; ++i) EXPECT_EQ((*changes)[i].revision, std::int64_t(i + 1));
    EXPECT_EQ((*changes)[0].type, ChangeType::kAdded);
    EXPECT_EQ((*changes)[2].object.status, "{\"members\":3}");
    EXPECT_EQ((*changes)[3].type, ChangeType::kDeleted);
    EXPECT_EQ((*changes)[3].object.meta.name, "b");
    EXPECT_EQ((*changes)[3].object.meta.labels.at("site"), "berlin");  // as it was
    auto later = store_.changes_after(c, 2, 100);
    EXPECT_EQ(later->size(), 2u);
    return {};
  });
}

TEST_P(ResourceStoreTest, ListsPageInByteOrder) {
  for (const auto* name : {"sat-10", "sat-9", "sat-1", "sat-a", "sat-0", "sat"})
    create(group(name));
  std::vector<std::string> seen;
  std::string after;
  for (int pages = 0; pages < 10; ++pages) {
    ListPage page;
    in_transaction(*db_, [&](Connection& c) -> common::Status {
      auto p = store_.list(c, "Group", after, 4);
      if (!p) return common::fail(p.error());
      page = *p;
      return {};
    });
    for (const auto& item : page.items) seen.push_back(item.meta.name);
    EXPECT_EQ(page.revision, 6);
    if (page.next_after.empty()) break;
    after = page.next_after;
  }
  EXPECT_EQ(seen, (std::vector<std::string>{"sat", "sat-0", "sat-1", "sat-10", "sat-9", "sat-a"}));
}

TEST_P(ResourceStoreTest, ConcurrentWritersTakeDistinctRevisions) {
  auto second = open_again();
  auto writer = [&](common::sql::Database& db, char prefix) {
    for (int i = 0; i < 20; ++i) {
      auto done = db.transact([&](Connection& c) -> common::Status {
        auto r = store_.create(c, group(std::string(1, prefix) + std::to_string(i)), "u", kNow);
        return r ? common::Status() : common::fail(r.error());
      });
      EXPECT_TRUE(done) << done.error().message() << " " << done.error().detail();
    }
  };
  std::thread a([&] { writer(*db_, 'a'); });
  std::thread b([&] { writer(*second, 'b'); });
  a.join();
  b.join();
  in_transaction(*db_, [&](Connection& c) -> common::Status {
    auto changes = store_.changes_after(c, 0, 1000);
    if (!changes) return common::fail(changes.error());
    EXPECT_EQ(changes->size(), 40u);
    for (std::size_t i = 0; i < changes->size(); ++i)
      EXPECT_EQ((*changes)[i].revision, std::int64_t(i + 1));  // no gaps, no repeats
    return {};
  });
}

// Many writers on two handles (two replicas), one attempt each: on PostgreSQL they queue on
// the revision counter instead of aborting one another (found by the 10,000-satellite run:
// enrollments failed with "gave up after 10 attempts").
TEST_P(ResourceStoreTest, ManyConcurrentWritersAllLandOnTheFirstAttempt) {
  auto second = open_again();
  constexpr int kThreads = 16;
  constexpr int kEach = 8;
  std::atomic<int> failed{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      common::sql::Database& db = t % 2 == 0 ? *db_ : *second;
      for (int i = 0; i < kEach; ++i) {
        const std::string name = "g" + std::to_string(t) + "-" + std::to_string(i);
        auto done = db.transact(
            [&](Connection& c) -> common::Status {
              auto absent = store_.get(c, "Group", name);  // read first, as services do
              if (absent) return common::fail(ErrorCode::kAlreadyExists, name);
              auto r = store_.create(c, group(name), "u", kNow);
              return r ? common::Status() : common::fail(r.error());
            },
            common::sql::TxOptions{.max_attempts = 1});
        if (!done) {
          failed.fetch_add(1);
          ADD_FAILURE() << done.error().message() << " " << done.error().detail();
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(failed.load(), 0);
  in_transaction(*db_, [&](Connection& c) -> common::Status {
    auto changes = store_.changes_after(c, 0, 1000);
    if (!changes) return common::fail(changes.error());
    EXPECT_EQ(changes->size(), std::size_t(kThreads * kEach));
    for (std::size_t i = 0; i < changes->size(); ++i) {
      EXPECT_EQ((*changes)[i].revision, std::int64_t(i + 1));
      EXPECT_EQ((*changes)[i].object.meta.resource_version, std::int64_t(i + 1));
    }
    return {};
  });
}

TEST_P(ResourceStoreTest, EachSourceKeepsItsOwnSet) {
  ArtifactSetStore harbor{ArtifactSource::kHarbor};
  ArtifactSetStore rules{ArtifactSource::kRules};
  const auto digest =
      common::Digest::from_hex(common::DigestAlgorithm::kSha256, std::string(64, 'a'));
  in_transaction(*db_, [&](Connection& c) -> common::Status {
    if (auto ok = rules.upsert(c, "g1", {"library/app", digest, {"1.25"}, "IMAGE", {}}); !ok)
      return ok;
    EXPECT_EQ(harbor.list(c, "g1")->size(), 0u);
    EXPECT_EQ(rules.list(c, "g1")->size(), 1u);
    EXPECT_EQ(*harbor.clear(c, "g1"), 0);
    EXPECT_EQ(rules.list_all(c)->at("g1").at(0).tags, std::vector<std::string>{"1.25"});
    return {};
  });
}

TEST_P(ResourceStoreTest, HarborSetsAndEventsAreKeptPerGroup) {
  ArtifactSetStore harbor{ArtifactSource::kHarbor};
  EventStore events;
  const auto digest = [](char c) {
    return common::Digest::from_hex(common::DigestAlgorithm::kSha256, std::string(64, c));
  };
  in_transaction(*db_, [&](Connection& c) -> common::Status {
    for (const auto& [group_name, repository, d] :
         {std::tuple{"g1", "library/nginx", '1'}, std::tuple{"g1", "blabla/nginx", '1'},
          std::tuple{"g2", "library/nginx", '1'}}) {
      if (auto ok = harbor.upsert(c, group_name, {repository, digest(d), {"latest"}, "IMAGE", {}});
          !ok)
        return ok;
    }
    // Upserting again replaces the tags.
    if (auto ok =
            harbor.upsert(c, "g1", {"library/nginx", digest('1'), {"1.25"}, "IMAGE", {"prod"}});
        !ok)
      return ok;
    if (auto ok =
            events.record(c, {1, std::string(kNow), "user:admin", "create", "Group", "g1", ""});
        !ok)
      return ok;
    if (auto ok =
            events.record(c, {2, std::string(kNow), "harbor:g2", "ingest", "Group", "g2", ""});
        !ok)
      return ok;
    return {};
  });
  in_transaction(*db_, [&](Connection& c) -> common::Status {
    auto g1 = harbor.list(c, "g1");
    EXPECT_EQ(g1->size(), 2u);
    EXPECT_EQ(g1->at(1).repository, "library/nginx");
    EXPECT_EQ(g1->at(1).tags, std::vector<std::string>{"1.25"});
    EXPECT_EQ(g1->at(1).labels, std::vector<std::string>{"prod"});
    EXPECT_EQ(*harbor.remove(c, "g1", "blabla/nginx", digest('1').str()), true);
    EXPECT_EQ(*harbor.remove(c, "g1", "blabla/nginx", digest('1').str()), false);
    EXPECT_EQ(*harbor.clear(c, "g2"), 1);
    auto all = harbor.list_all(c);
    EXPECT_EQ(all->size(), 1u);
    auto for_g2 = events.list(c, {"Group", "g2"});
    EXPECT_EQ(for_g2->size(), 1u);
    EXPECT_EQ(for_g2->at(0).actor, "harbor:g2");
    EXPECT_EQ(events.list(c, {})->size(), 2u);
    EXPECT_EQ(events.list(c, {.after_revision = 1})->size(), 1u);
    return {};
  });
}

INSTANTIATE_TEST_SUITE_P(Backends, ResourceStoreTest,
                         ::testing::Values(Backend::kSqlite, Backend::kPostgres), backend_name);

}  // namespace
}  // namespace groundcontrol::store::test
