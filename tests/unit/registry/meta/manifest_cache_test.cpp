#include "registry/meta/manifest_cache.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <thread>

#include "common/crypto/hasher.hpp"
#include "testutil/fake_clock.hpp"
#include "testutil/temp_dir.hpp"

namespace registry::meta {
namespace {

using common::ErrorCode;

constexpr const char* kManifestType = "application/vnd.oci.image.manifest.v1+json";

// A NewManifest that owns the bytes its content views.
struct OwnedManifest : NewManifest {
  std::shared_ptr<const std::string> bytes;
};

// A manifest whose content is `content` (neither the store nor the cache parses content).
OwnedManifest manifest(std::string content) {
  auto bytes = std::make_shared<const std::string>(std::move(content));
  OwnedManifest m{{common::crypto::digest_of(*bytes), kManifestType}, bytes};
  m.content = *bytes;
  return m;
}

// A real MetadataStore on a temp dir and the cache over it. Writes follow the registry's
// protocol: commit to SQLite first, then tell the cache.
class ManifestCacheTest : public ::testing::Test {
 protected:
  void SetUp() override { reopen(16 * 1024 * 1024, 64 * 1024 * 1024); }
  void reopen(std::size_t capacity, std::size_t budget) {
    index_.reset();
    budget_ = std::make_unique<common::MemoryBudget>(budget);
    if (!store_) {
      auto opened = MetadataStore::open(dir_.str() + "/metadata.db", clock_);
      ASSERT_TRUE(opened.has_value()) << opened.error().message();
      store_ = std::move(*opened);
    }
    index_ = std::make_unique<ManifestCache>(*store_, *budget_, capacity);
  }

  void put(std::string_view repository, const NewManifest& m, std::optional<std::string_view> tag) {
    ASSERT_TRUE(store_->put_manifest(repository, m, tag).has_value());
    index_->on_put(repository, m.digest, tag);
  }
  void delete_tag(std::string_view repository, std::string_view tag) {
    ASSERT_TRUE(store_->delete_tag(repository, tag).has_value());
    index_->on_delete_tag(repository, tag);
  }
  void delete_manifest(std::string_view repository, const common::Digest& digest) {
    ASSERT_TRUE(store_->delete_manifest(repository, digest).has_value());
    index_->on_delete_manifest(repository, digest);
  }
  // The digest `reference` resolves to, or the error code as text.
  std::string resolve(std::string_view repository, std::string_view reference) {
    auto found = lookup(repository, reference);
    if (!found) return "error " + std::to_string(static_cast<int>(found.error().code()));
    return (*found)->digest_str;
  }
  // What the registry does: the cached answer, else a load.
  ManifestCache::Answer lookup(std::string_view repository, std::string_view reference) {
    if (auto cached = index_->find(repository, reference)) return std::move(*cached);
    return index_->load(repository, reference);
  }
  static std::string error(ErrorCode code) {
    return "error " + std::to_string(static_cast<int>(code));
  }

  // Races a first lookup of a fresh repository against a retag of its tag "t", round after
  // round (bounded in rounds and time). A large old manifest makes loading slow, and the lookup
  // starts at a random moment of the write, so in many rounds the write commits while the
  // snapshot is being read. Calls `check_lookup` with what the racing lookup found (old
  // manifest, new manifest) and `check_after` once the round is over.
  template <class CheckLookup, class CheckAfter>
  void race_first_loads_against_retags(CheckLookup check_lookup, CheckAfter check_after) {
    const std::string big(2 * 1024 * 1024, 'x');
    std::mt19937 random(12345);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(3);
    std::chrono::microseconds write_time{2000};
    int rounds = 0;
    for (; rounds < 60 && std::chrono::steady_clock::now() < deadline; ++rounds) {
      const std::string repo = "race/r" + std::to_string(rounds);
      const auto old_manifest = manifest(big + std::to_string(rounds));
      const auto new_manifest = manifest("new " + std::to_string(rounds));
      put(repo, old_manifest, "t");
      const auto delay = std::chrono::microseconds(
          std::uniform_int_distribution<long>(0, write_time.count())(random));

      ManifestCache::Answer found = common::fail(ErrorCode::kInternal, "lookup did not run");
      std::thread reader([&] {
        std::this_thread::sleep_for(delay);
        found = lookup(repo, "t");
      });
      const auto start = std::chrono::steady_clock::now();
      put(repo, new_manifest, "t");
      write_time = std::chrono::duration_cast<std::chrono::microseconds>(
          std::chrono::steady_clock::now() - start);
      reader.join();

      SCOPED_TRACE("round " + std::to_string(rounds));
      check_lookup(found, old_manifest, new_manifest);
      check_after(repo, old_manifest, new_manifest);
      if (HasFatalFailure()) return;
    }
    EXPECT_GT(rounds, 0);
  }

  testutil::TempDir dir_;
  testutil::FakeClock clock_;
  std::unique_ptr<MetadataStore> store_;
  std::unique_ptr<common::MemoryBudget> budget_;
  std::unique_ptr<ManifestCache> index_;
  const OwnedManifest m1_ = manifest("m1");
  const OwnedManifest m2_ = manifest("m2");
};

TEST_F(ManifestCacheTest, FirstLookupLoadsTheRepositoryFromTheStore) {
  // Written before this index existed (an earlier process): only SQLite knows it.
  ASSERT_TRUE(store_->put_manifest("repo", m1_, "v1").has_value());

  auto by_tag = lookup("repo", "v1");
  ASSERT_TRUE(by_tag.has_value());
  EXPECT_EQ((*by_tag)->digest, m1_.digest);
  EXPECT_EQ((*by_tag)->digest_str, m1_.digest.str());
  EXPECT_EQ((*by_tag)->media_type, kManifestType);
  EXPECT_EQ((*by_tag)->content, "m1");
  auto by_digest = lookup("repo", m1_.digest.str());
  ASSERT_TRUE(by_digest.has_value());
  EXPECT_EQ(by_tag->get(), by_digest->get());  // one entry, shared
}

TEST_F(ManifestCacheTest, UnknownRepositoryIsNameUnknownUntilItExists) {
  EXPECT_EQ(resolve("repo", "v1"), error(ErrorCode::kNameUnknown));
  EXPECT_EQ(resolve("repo", m1_.digest.str()), error(ErrorCode::kNameUnknown));
  put("repo", m1_, "v1");  // the failed lookups cached nothing
  EXPECT_EQ(resolve("repo", "v1"), m1_.digest.str());
}

TEST_F(ManifestCacheTest, UnknownReferenceInAKnownRepositoryIsManifestUnknown) {
  put("repo", m1_, "v1");
  for (int pass = 0; pass < 2; ++pass) {  // on the loading lookup and on a cached one
    EXPECT_EQ(resolve("repo", "v2"), error(ErrorCode::kManifestUnknown));
    EXPECT_EQ(resolve("repo", m2_.digest.str()), error(ErrorCode::kManifestUnknown));
  }
  auto missing = lookup("repo", "v2");
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().detail(), "v2");
}

TEST_F(ManifestCacheTest, WritesAfterTheLoadAreServed) {
  put("repo", m1_, "v1");
  ASSERT_EQ(resolve("repo", "v1"), m1_.digest.str());  // loaded
  put("repo", m2_, "v1");                              // retag
  put("repo", m2_, "v2");
  put("repo", manifest("m3"), std::nullopt);
  EXPECT_EQ(resolve("repo", "v1"), m2_.digest.str());
  EXPECT_EQ(resolve("repo", "v2"), m2_.digest.str());
  EXPECT_EQ(resolve("repo", m1_.digest.str()), m1_.digest.str());  // untagged, still there
  EXPECT_EQ(resolve("repo", manifest("m3").digest.str()), manifest("m3").digest.str());
  EXPECT_EQ(lookup("repo", "v1").value().get(), lookup("repo", "v2").value().get());
}

TEST_F(ManifestCacheTest, WritesBeforeTheFirstLookupAreServed) {
  put("repo", m1_, "v1");
  put("repo", m2_, "v1");
  EXPECT_EQ(resolve("repo", "v1"), m2_.digest.str());
  EXPECT_EQ(resolve("repo", m1_.digest.str()), m1_.digest.str());
}

TEST_F(ManifestCacheTest, DeletingATagKeepsTheManifest) {
  put("repo", m1_, "v1");
  put("repo", m1_, "latest");
  ASSERT_EQ(resolve("repo", "v1"), m1_.digest.str());
  delete_tag("repo", "v1");
  EXPECT_EQ(resolve("repo", "v1"), error(ErrorCode::kManifestUnknown));
  EXPECT_EQ(resolve("repo", "latest"), m1_.digest.str());
  EXPECT_EQ(resolve("repo", m1_.digest.str()), m1_.digest.str());
}

TEST_F(ManifestCacheTest, DeletingAManifestDropsItsTagsOnly) {
  put("repo", m1_, "v1");
  put("repo", m1_, "latest");
  put("repo", m2_, "v2");
  ASSERT_EQ(resolve("repo", "v1"), m1_.digest.str());
  delete_manifest("repo", m1_.digest);
  EXPECT_EQ(resolve("repo", m1_.digest.str()), error(ErrorCode::kManifestUnknown));
  EXPECT_EQ(resolve("repo", "v1"), error(ErrorCode::kManifestUnknown));
  EXPECT_EQ(resolve("repo", "latest"), error(ErrorCode::kManifestUnknown));
  EXPECT_EQ(resolve("repo", "v2"), m2_.digest.str());
}

TEST_F(ManifestCacheTest, RepositoriesAreIndependent) {
  put("a", m1_, "v1");
  put("b", m2_, "v1");
  EXPECT_EQ(resolve("a", "v1"), m1_.digest.str());
  EXPECT_EQ(resolve("b", "v1"), m2_.digest.str());
  EXPECT_EQ(resolve("a", m2_.digest.str()), error(ErrorCode::kManifestUnknown));
  delete_tag("a", "v1");
  EXPECT_EQ(resolve("b", "v1"), m2_.digest.str());
}

TEST_F(ManifestCacheTest, ANewIndexOverTheSameStoreSeesEverything) {
  put("repo", m1_, "v1");
  put("repo", m2_, "v2");
  ASSERT_EQ(resolve("repo", "v1"), m1_.digest.str());
  delete_tag("repo", "v1");
  reopen(16 * 1024 * 1024, 64 * 1024 * 1024);  // a restart, as far as the cache knows
  EXPECT_EQ(resolve("repo", "v1"), error(ErrorCode::kManifestUnknown));
  EXPECT_EQ(resolve("repo", "v2"), m2_.digest.str());
  EXPECT_EQ(resolve("repo", m1_.digest.str()), m1_.digest.str());
}

// The race the index guards against: a lookup reads a repository's snapshot from SQLite, a
// write commits and notifies the index, and only then does the lookup insert its (now stale)
// snapshot. Kept, that snapshot would serve the old tag until restart. Every round must end
// with the index serving what was written last.
TEST_F(ManifestCacheTest, AWriteDuringAFirstLoadIsNotLost) {
  race_first_loads_against_retags([](const auto&, const NewManifest&, const NewManifest&) {},
                                  [&](const std::string& repo, const NewManifest& old_manifest,
                                      const NewManifest& new_manifest) {
                                    ASSERT_EQ(resolve(repo, "t"), new_manifest.digest.str())
                                        << "the index kept a snapshot loaded before the write";
                                    ASSERT_EQ(resolve(repo, old_manifest.digest.str()),
                                              old_manifest.digest.str());
                                  });
}

// A lookup that overlaps a retag must find the old or the new manifest: the tag exists
// before, during and after the write (the snapshot is read in one transaction).
TEST_F(ManifestCacheTest, ALookupRacingARetagFindsTheOldOrTheNewManifest) {
  race_first_loads_against_retags(
      [](const common::Result<std::shared_ptr<const CachedManifest>>& found,
         const NewManifest& old_manifest, const NewManifest& new_manifest) {
        ASSERT_TRUE(found.has_value()) << "code " << static_cast<int>(found.error().code()) << ": "
                                       << found.error().message() << " " << found.error().detail();
        EXPECT_TRUE((*found)->digest == old_manifest.digest ||
                    (*found)->digest == new_manifest.digest);
      },
      [](const std::string&, const NewManifest&, const NewManifest&) {});
}

// Memory: the cache keeps at most its capacity, least recently used out first, and what it
// evicts is read again from the store.
TEST_F(ManifestCacheTest, KeepsAtMostItsCapacityEvictingTheLeastRecentlyUsed) {
  reopen(64 * 1024, 64 * 1024 * 1024);
  std::vector<OwnedManifest> manifests;
  for (int i = 0; i < 8; ++i) {
    manifests.push_back(manifest(std::string(20 * 1024, static_cast<char>('a' + i))));
    put("repo", manifests.back(), "t" + std::to_string(i));
  }
  for (int i = 0; i < 8; ++i) ASSERT_TRUE(lookup("repo", "t" + std::to_string(i)).has_value());
  EXPECT_LE(index_->bytes(), 64u * 1024);
  // The most recent are held; the first were evicted, yet still load.
  EXPECT_TRUE(index_->find("repo", "t7").has_value());
  EXPECT_FALSE(index_->find("repo", "t0").has_value());
  EXPECT_EQ(resolve("repo", "t0"), manifests[0].digest.str());
}

TEST_F(ManifestCacheTest, AManifestLargerThanTheCapacityIsServedButNotKept) {
  reopen(16 * 1024, 64 * 1024 * 1024);
  const auto big = manifest(std::string(100 * 1024, 'b'));
  put("repo", big, "big");
  auto found = lookup("repo", "big");
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ((*found)->content.size(), 100u * 1024);
  EXPECT_FALSE(index_->find("repo", "big").has_value());
  EXPECT_EQ(index_->bytes(), 0u);
}

// Unknown names are remembered, so a stream of requests for them costs one store read, and
// a push makes them known at once.
TEST_F(ManifestCacheTest, AbsencesAreRememberedUntilAWriteToTheRepository) {
  EXPECT_EQ(resolve("ghost", "v1"), error(ErrorCode::kNameUnknown));
  auto remembered = index_->find("ghost", "v1");
  ASSERT_TRUE(remembered.has_value());
  EXPECT_EQ(remembered->error().code(), ErrorCode::kNameUnknown);
  put("ghost", m1_, "v1");
  EXPECT_FALSE(index_->find("ghost", "v1").has_value());
  EXPECT_EQ(resolve("ghost", "v1"), m1_.digest.str());
}

// Every manifest byte in memory counts against the budget, also after the cache let go of
// it while a response still holds it; past the budget a load fails with kTooManyRequests
// instead of growing the process, and succeeds again once the holder is done.
TEST_F(ManifestCacheTest, TheMemoryBudgetBoundsManifestsHeldAnywhere) {
  reopen(16 * 1024, 150 * 1024);
  const auto a = manifest(std::string(100 * 1024, 'a'));
  const auto b = manifest(std::string(100 * 1024, 'b'));
  put("repo", a, "a");
  put("repo", b, "b");
  auto held = lookup("repo", "a");  // a response still sending `a`
  ASSERT_TRUE(held.has_value());
  EXPECT_GE(budget_->used(), 100u * 1024);
  auto refused = lookup("repo", "b");
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().code(), ErrorCode::kTooManyRequests);
  held = common::fail(ErrorCode::kInternal, "sent");  // the response is done
  EXPECT_EQ(budget_->used(), 0u);
  EXPECT_EQ(resolve("repo", "b"), b.digest.str());
}

}  // namespace
}  // namespace registry::meta
