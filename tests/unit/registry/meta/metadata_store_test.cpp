#include "registry/meta/metadata_store.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>

#include "common/crypto/hasher.hpp"
#include "registry/meta/schema.hpp"
#include "testutil/temp_dir.hpp"

namespace registry::meta {
namespace {

using common::ErrorCode;

common::Digest digest_of(std::string_view text) {
  return common::crypto::digest_of(text);
}

// A manifest whose content is `name` (the store does not parse content).
NewManifest manifest(std::string_view name, std::vector<common::Digest> blobs = {}) {
  NewManifest m{digest_of(name), "application/vnd.oci.image.manifest.v1+json"};
  m.content = name;  // literals: outlive the test
  m.blobs = std::move(blobs);
  return m;
}

std::vector<std::string> digests_of(const RepositorySnapshot& snapshot) {
  std::vector<std::string> out;
  for (const auto& m : snapshot.manifests) out.push_back(m.digest.str());
  std::sort(out.begin(), out.end());
  return out;
}

class MetadataStoreTest : public ::testing::Test {
 protected:
  void SetUp() override { reopen(); }
  void reopen() {
    store_.reset();
    auto opened = MetadataStore::open(dir_.str() + "/metadata.db", clock_);
    ASSERT_TRUE(opened.has_value()) << opened.error().message();
    store_ = std::move(*opened);
  }
  // Links every blob of `m` to `repository`.
  void link_all(std::string_view repository, const NewManifest& m) {
    for (const auto& blob : m.blobs) ASSERT_TRUE(store_->link_blob(repository, blob).has_value());
  }

  testutil::TempDir dir_;
  common::SystemClock clock_;
  std::unique_ptr<MetadataStore> store_;
  const common::Digest config_ = digest_of("config");
  const common::Digest layer_ = digest_of("layer");
};

TEST_F(MetadataStoreTest, LinksAreScopedToTheirRepository) {
  EXPECT_FALSE(store_->has_blob("a", layer_).value());
  ASSERT_TRUE(store_->link_blob("a", layer_).has_value());
  ASSERT_TRUE(store_->link_blob("a", layer_).has_value());  // idempotent
  EXPECT_TRUE(store_->has_blob("a", layer_).value());
  EXPECT_FALSE(store_->has_blob("b", layer_).value());
  ASSERT_TRUE(store_->unlink_blob("a", layer_).has_value());
  EXPECT_FALSE(store_->has_blob("a", layer_).value());
  EXPECT_EQ(store_->unlink_blob("a", layer_).error().code(), ErrorCode::kBlobUnknown);
}

TEST_F(MetadataStoreTest, PutManifestStoresItWithItsTag) {
  const auto m = manifest("m1", {config_, layer_});
  link_all("repo", m);
  ASSERT_TRUE(store_->put_manifest("repo", m, "v1").has_value());
  reopen();  // committed means durable

  auto snapshot = store_->load_repository("repo");
  ASSERT_TRUE(snapshot.has_value());
  ASSERT_EQ(snapshot->manifests.size(), 1u);
  EXPECT_EQ(snapshot->manifests[0].digest, m.digest);
  EXPECT_EQ(snapshot->manifests[0].content, "m1");
  ASSERT_EQ(snapshot->tags.size(), 1u);
  EXPECT_EQ(snapshot->tags[0], std::make_pair(std::string("v1"), m.digest));
  EXPECT_EQ(store_->list_tags("repo", 10, "").value(), std::vector<std::string>{"v1"});
  EXPECT_EQ(store_->list_repositories(10, "").value(), std::vector<std::string>{"repo"});
}

TEST_F(MetadataStoreTest, ManifestWithAnUnlinkedBlobIsRefusedAndNothingStored) {
  ASSERT_TRUE(store_->link_blob("other", layer_).has_value());  // linked elsewhere only
  ASSERT_TRUE(store_->link_blob("repo", config_).has_value());
  const auto m = manifest("m1", {config_, layer_});

  auto put = store_->put_manifest("repo", m, "v1");
  ASSERT_FALSE(put.has_value());
  EXPECT_EQ(put.error().code(), ErrorCode::kManifestBlobUnknown);
  EXPECT_EQ(put.error().detail(), layer_.str());
  auto snapshot = store_->load_repository("repo");
  ASSERT_TRUE(snapshot.has_value());
  EXPECT_TRUE(snapshot->manifests.empty());
  EXPECT_TRUE(snapshot->tags.empty());
  EXPECT_TRUE(store_->list_repositories(10, "").value().empty());
  // Nothing references the layer, so GC may take it.
  EXPECT_TRUE(store_->drop_blob_if_unreferenced(layer_).value());
}

TEST_F(MetadataStoreTest, IndexWithAnUnknownChildIsRefused) {
  NewManifest index{digest_of("index"), "application/vnd.oci.image.index.v1+json"};
  index.content = "index";
  index.manifests = {digest_of("child")};
  auto put = store_->put_manifest("repo", index, "latest");
  ASSERT_FALSE(put.has_value());
  EXPECT_EQ(put.error().code(), ErrorCode::kManifestBlobUnknown);
  // A repository that got nothing does not exist either.
  EXPECT_EQ(store_->load_repository("repo").error().code(), ErrorCode::kNameUnknown);

  const auto child = manifest("child");
  ASSERT_TRUE(store_->put_manifest("repo", child, std::nullopt).has_value());
  ASSERT_TRUE(store_->put_manifest("repo", index, "latest").has_value());
  EXPECT_EQ(digests_of(store_->load_repository("repo").value()),
            (std::vector<std::string>{std::min(child.digest.str(), index.digest.str()),
                                      std::max(child.digest.str(), index.digest.str())}));
}

TEST_F(MetadataStoreTest, RetaggingMovesTheTag) {
  const auto m1 = manifest("m1");
  const auto m2 = manifest("m2");
  ASSERT_TRUE(store_->put_manifest("repo", m1, "latest").has_value());
  ASSERT_TRUE(store_->put_manifest("repo", m2, "latest").has_value());
  ASSERT_TRUE(store_->put_manifest("repo", m2, "latest").has_value());  // idempotent
  auto snapshot = store_->load_repository("repo").value();
  EXPECT_EQ(snapshot.manifests.size(), 2u);
  ASSERT_EQ(snapshot.tags.size(), 1u);
  EXPECT_EQ(snapshot.tags[0].second, m2.digest);
}

TEST_F(MetadataStoreTest, DeleteManifestRemovesItsTagsOnly) {
  const auto m1 = manifest("m1", {layer_});
  const auto m2 = manifest("m2", {layer_});
  link_all("repo", m1);
  ASSERT_TRUE(store_->put_manifest("repo", m1, "a").has_value());
  ASSERT_TRUE(store_->put_manifest("repo", m1, "b").has_value());
  ASSERT_TRUE(store_->put_manifest("repo", m2, "c").has_value());

  ASSERT_TRUE(store_->delete_manifest("repo", m1.digest).has_value());
  EXPECT_EQ(store_->list_tags("repo", 10, "").value(), std::vector<std::string>{"c"});
  EXPECT_EQ(digests_of(store_->load_repository("repo").value()),
            std::vector<std::string>{m2.digest.str()});
  EXPECT_EQ(store_->delete_manifest("repo", m1.digest).error().code(), ErrorCode::kManifestUnknown);
  EXPECT_EQ(store_->delete_manifest("nope", m1.digest).error().code(), ErrorCode::kNameUnknown);
  // The tag deleted with its manifest can be deleted no more; another tag can.
  EXPECT_EQ(store_->delete_tag("repo", "a").error().code(), ErrorCode::kManifestUnknown);
  ASSERT_TRUE(store_->delete_tag("repo", "c").has_value());
  EXPECT_TRUE(store_->list_tags("repo", 10, "").value().empty());
  EXPECT_EQ(store_->load_repository("repo").value().manifests.size(), 1u);  // m2 untagged
}

TEST_F(MetadataStoreTest, TagsAndRepositoriesPage) {
  for (const char* tag : {"c", "a", "b"})
    ASSERT_TRUE(store_->put_manifest("repo", manifest("m"), tag).has_value());
  EXPECT_EQ(store_->list_tags("repo", 2, "").value(), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(store_->list_tags("repo", 2, "b").value(), std::vector<std::string>{"c"});
  EXPECT_EQ(store_->list_tags("absent", 2, "").error().code(), ErrorCode::kNameUnknown);
  ASSERT_TRUE(store_->put_manifest("alpha", manifest("m"), "x").has_value());
  ASSERT_TRUE(store_->link_blob("only-blobs", layer_).has_value());
  EXPECT_EQ(store_->list_repositories(10, "").value(), (std::vector<std::string>{"alpha", "repo"}));
  EXPECT_EQ(store_->list_repositories(1, "alpha").value(), std::vector<std::string>{"repo"});
}

TEST_F(MetadataStoreTest, ReferrersAreFilteredBySubjectRepositoryAndArtifactType) {
  const auto subject = manifest("subject");
  ASSERT_TRUE(store_->put_manifest("repo", subject, "v1").has_value());
  auto referrer = [&](std::string_view name, std::string_view type) {
    auto m = manifest(name);
    m.artifact_type = std::string(type);
    m.subject = subject.digest;
    m.annotations_json = R"({"k":"v"})";
    return m;
  };
  const auto sig = referrer("sig", "application/vnd.example.signature");
  const auto sbom = referrer("sbom", "application/vnd.example.sbom");
  ASSERT_TRUE(store_->put_manifest("repo", sig, std::nullopt).has_value());
  ASSERT_TRUE(store_->put_manifest("repo", sbom, std::nullopt).has_value());
  ASSERT_TRUE(store_->put_manifest("elsewhere", referrer("x", "t"), std::nullopt).has_value());

  auto all = store_->referrers("repo", subject.digest, "").value();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_LT(all[0].digest.str(), all[1].digest.str());  // ordered by digest
  auto sboms = store_->referrers("repo", subject.digest, "application/vnd.example.sbom").value();
  ASSERT_EQ(sboms.size(), 1u);
  EXPECT_EQ(sboms[0].digest, sbom.digest);
  EXPECT_EQ(sboms[0].artifact_type, "application/vnd.example.sbom");
  EXPECT_EQ(sboms[0].annotations_json, R"({"k":"v"})");
  EXPECT_EQ(sboms[0].size, 4u);
  EXPECT_EQ(sboms[0].media_type, "application/vnd.oci.image.manifest.v1+json");
  EXPECT_TRUE(store_->referrers("repo", subject.digest, "none").value().empty());
  EXPECT_TRUE(store_->referrers("repo", sig.digest, "").value().empty());
  EXPECT_TRUE(store_->referrers("absent", subject.digest, "").value().empty());
}

TEST_F(MetadataStoreTest, DropBlobIfUnreferencedKeepsReferencedBlobs) {
  const auto m = manifest("m1", {config_, layer_});
  link_all("a", m);
  link_all("b", m);
  ASSERT_TRUE(store_->put_manifest("a", m, "v1").has_value());

  EXPECT_FALSE(store_->drop_blob_if_unreferenced(layer_).value());
  EXPECT_TRUE(store_->has_blob("a", layer_).value());
  EXPECT_TRUE(store_->has_blob("b", layer_).value());  // kept: referenced from a manifest in a

  ASSERT_TRUE(store_->delete_manifest("a", m.digest).has_value());
  EXPECT_TRUE(store_->drop_blob_if_unreferenced(layer_).value());
  // Every repository's link goes, so no repository serves a blob GC is about to delete.
  EXPECT_FALSE(store_->has_blob("a", layer_).value());
  EXPECT_FALSE(store_->has_blob("b", layer_).value());
  EXPECT_TRUE(store_->has_blob("a", config_).value());  // untouched until asked about
  // A blob no repository knows at all is unreferenced too.
  EXPECT_TRUE(store_->drop_blob_if_unreferenced(digest_of("stray")).value());
}

TEST_F(MetadataStoreTest, ChildManifestReferencesDoNotKeepBlobs) {
  // Only kind-0 references (config, layers) keep blob files; an index's children live in
  // SQLite, so a blob with a child manifest's digest is still garbage.
  const auto child = manifest("child");
  ASSERT_TRUE(store_->put_manifest("repo", child, std::nullopt).has_value());
  NewManifest index{digest_of("index"), "application/vnd.oci.image.index.v1+json"};
  index.content = "index";
  index.manifests = {child.digest};
  ASSERT_TRUE(store_->put_manifest("repo", index, "latest").has_value());
  EXPECT_TRUE(store_->drop_blob_if_unreferenced(child.digest).value());
}

TEST_F(MetadataStoreTest, RepositoryCountCountsCreatedRepositories) {
  EXPECT_EQ(store_->repository_count().value(), 0);
  ASSERT_TRUE(store_->link_blob("a", layer_).has_value());
  ASSERT_TRUE(store_->put_manifest("b", manifest("m"), "t").has_value());
  EXPECT_EQ(store_->repository_count().value(), 2);
}

// A data dir written before manifest content moved out of the manifests table (schema 1)
// opens with every manifest, its content, annotations and tags intact.
TEST_F(MetadataStoreTest, ASchemaOneDatabaseIsMigratedWithItsContent) {
  store_.reset();
  const auto path = dir_.str() + "/old.db";
  {
    auto db = common::db::SqliteDatabase::open(path);
    ASSERT_TRUE(db.has_value());
    ASSERT_TRUE((*db)->migrate(std::span(kMigrations).first(1)).has_value());
    const auto digest = digest_of("old manifest").str();
    ASSERT_TRUE((*db)->exec("INSERT INTO repositories VALUES (1, 'old/repo', 0)").has_value());
    ASSERT_TRUE((*db)
                    ->exec("INSERT INTO manifests (repository_id, digest, media_type, annotations, "
                           "content, created_at, subject) VALUES (1, '" +
                           digest +
                           "', 'application/vnd.oci.image.manifest.v1+json', "
                           "'{\"a\":\"b\"}', 'old manifest', 0, '" +
                           layer_.str() + "')")
                    .has_value());
    ASSERT_TRUE((*db)->exec("INSERT INTO tags VALUES (1, 'v1', '" + digest + "', 0)").has_value());
  }
  auto opened = MetadataStore::open(path, clock_);
  ASSERT_TRUE(opened.has_value()) << opened.error().message();
  auto found = (*opened)->find_manifest("old/repo", "v1");
  ASSERT_TRUE(found.has_value()) << found.error().message();
  EXPECT_EQ(found->content, "old manifest");
  auto referrers = (*opened)->referrers("old/repo", layer_, "");
  ASSERT_TRUE(referrers.has_value());
  ASSERT_EQ(referrers->size(), 1u);
  EXPECT_EQ((*referrers)[0].annotations_json, R"({"a":"b"})");
  EXPECT_EQ((*referrers)[0].size, 12u);
}

}  // namespace
}  // namespace registry::meta
