#include "registry/registry_service.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "common/crypto/hasher.hpp"
#include "common/oci/media_types.hpp"
#include "registry/meta/metadata_store.hpp"
#include "testutil/temp_dir.hpp"

namespace registry {
namespace {

using common::Digest;
using common::ErrorCode;
namespace media_type = common::oci::media_type;

std::string descriptor(std::string_view media_type, const Digest& digest, std::size_t size) {
  return std::string(R"({"mediaType":")") + std::string(media_type) + R"(","digest":")" +
         digest.str() + R"(","size":)" + std::to_string(size) + "}";
}

// An image the tests push: its config and layer blobs and its manifest bytes.
struct Image {
  std::string config;
  std::string layer;
  std::string manifest;
  Digest digest() const { return common::crypto::digest_of(manifest); }
  Digest config_digest() const { return common::crypto::digest_of(config); }
  Digest layer_digest() const { return common::crypto::digest_of(layer); }
};

// An OCI image manifest with one layer; `name` makes its blobs and bytes unique.
Image make_image(std::string_view name) {
  Image image;
  image.config =
      std::string(R"({"architecture":"amd64","os":"linux","name":")") + std::string(name) + "\"}";
  image.layer = "layer bytes of " + std::string(name);
  image.manifest = std::string(R"({"schemaVersion":2,"mediaType":")") +
                   std::string(media_type::kOciManifest) + R"(","config":)" +
                   descriptor("application/vnd.oci.image.config.v1+json", image.config_digest(),
                              image.config.size()) +
                   R"(,"layers":[)" +
                   descriptor("application/vnd.oci.image.layer.v1.tar", image.layer_digest(),
                              image.layer.size()) +
                   "]}";
  return image;
}

// An OCI image index over `children` (manifest bytes).
std::string make_index(const std::vector<std::string>& children) {
  std::string out = std::string(R"({"schemaVersion":2,"mediaType":")") +
                    std::string(media_type::kOciIndex) + R"(","manifests":[)";
  for (std::size_t i = 0; i < children.size(); ++i) {
    if (i > 0) out += ",";
    out += descriptor(media_type::kOciManifest, common::crypto::digest_of(children[i]),
                      children[i].size());
  }
  return out + "]}";
}

class RegistryServiceTest : public ::testing::Test {
 protected:
  void SetUp() override { open(); }

  RegistryConfig config() const {
    RegistryConfig config;
    config.data_dir = dir_.str() + "/data";
    config.max_manifest_bytes = max_manifest_bytes_;
    return config;
  }
  void open() {
    service_.reset();
    auto opened = RegistryService::open(config(), common::log::null_logger());
    ASSERT_TRUE(opened.has_value()) << opened.error().message();
    service_ = std::move(*opened);
  }

  // Uploads `content` to `repository` in one chunk; returns its digest.
  Digest push_blob(std::string_view repository, std::string_view content) {
    const auto digest = common::crypto::digest_of(content);
    auto state = service_->start_upload(repository);
    EXPECT_TRUE(state.has_value());
    if (!state) return digest;
    {
      auto writer = service_->open_upload(repository, state->id.str(), 0);
      EXPECT_TRUE(writer.has_value());
      if (!writer) return digest;
      EXPECT_TRUE(writer->write(content).has_value());
    }  // the writer hands the session back before the commit
    auto size = service_->finish_upload(repository, state->id.str(), digest);
    EXPECT_TRUE(size.has_value()) << size.error().message();
    if (size) {
      EXPECT_EQ(*size, content.size());
    }
    return digest;
  }
  // Pushes the image's blobs, then its manifest under `reference`.
  void push_image(std::string_view repository, const Image& image, std::string_view reference) {
    push_blob(repository, image.config);
    push_blob(repository, image.layer);
    auto put =
        service_->put_manifest(repository, reference, image.manifest, media_type::kOciManifest);
    ASSERT_TRUE(put.has_value()) << put.error().message() << ": " << put.error().detail();
    EXPECT_EQ(put->digest, image.digest());
  }
  // The error code of a failed call (fails the test if it succeeded).
  template <class T>
  static ErrorCode code_of(const common::Result<T>& result) {
    EXPECT_FALSE(result.has_value());
    return result ? ErrorCode::kInternal : result.error().code();
  }

  void race_gets_against_puts(int writers, int readers, std::chrono::seconds budget);

  testutil::TempDir dir_;
  std::size_t max_manifest_bytes_ = 8 * 1024 * 1024;
  std::unique_ptr<RegistryService> service_;
};

TEST_F(RegistryServiceTest, ManifestPutByTagIsServedByTagAndByDigest) {
  const auto image = make_image("a");
  push_image("team/app", image, "v1");

  auto by_tag = service_->get_manifest("team/app", "v1");
  ASSERT_TRUE(by_tag.has_value());
  EXPECT_EQ((*by_tag)->digest, image.digest());
  EXPECT_EQ((*by_tag)->digest_str, image.digest().str());
  EXPECT_EQ((*by_tag)->media_type, media_type::kOciManifest);
  EXPECT_EQ((*by_tag)->content, image.manifest);  // the bytes as pushed, not re-serialised
  auto by_digest = service_->get_manifest("team/app", image.digest().str());
  ASSERT_TRUE(by_digest.has_value());
  // Served from the in-memory index: both references name the one cached entry.
  EXPECT_EQ(by_tag->get(), by_digest->get());
  EXPECT_EQ(service_->list_tags("team/app", 10, "").value(), std::vector<std::string>{"v1"});
  EXPECT_EQ(service_->list_repositories(10, "").value(), std::vector<std::string>{"team/app"});
}

TEST_F(RegistryServiceTest, ManifestPutByDigestIsServedByDigestOnly) {
  const auto image = make_image("a");
  push_blob("repo", image.config);
  push_blob("repo", image.layer);
  auto put = service_->put_manifest("repo", image.digest().str(), image.manifest,
                                    media_type::kOciManifest);
  ASSERT_TRUE(put.has_value());
  EXPECT_EQ(put->digest, image.digest());
  EXPECT_EQ(service_->get_manifest("repo", image.digest().str()).value()->content, image.manifest);
  EXPECT_TRUE(service_->list_tags("repo", 10, "").value().empty());
}

TEST_F(RegistryServiceTest, UnknownManifestsAndRepositories) {
  push_image("repo", make_image("a"), "v1");
  EXPECT_EQ(code_of(service_->get_manifest("repo", "v2")), ErrorCode::kManifestUnknown);
  EXPECT_EQ(code_of(service_->get_manifest("repo", common::crypto::digest_of("x").str())),
            ErrorCode::kManifestUnknown);
  EXPECT_EQ(code_of(service_->get_manifest("absent", "v1")), ErrorCode::kNameUnknown);
}

TEST_F(RegistryServiceTest, ContentTypeThatContradictsTheBodyIsManifestInvalid) {
  const auto image = make_image("a");
  push_blob("repo", image.config);
  push_blob("repo", image.layer);
  auto put = service_->put_manifest("repo", "v1", image.manifest, media_type::kOciIndex);
  EXPECT_EQ(code_of(put), ErrorCode::kManifestInvalid);
  EXPECT_EQ(code_of(service_->put_manifest("repo", "v1", "{not json", media_type::kOciManifest)),
            ErrorCode::kManifestInvalid);
  EXPECT_EQ(code_of(service_->get_manifest("repo", "v1")), ErrorCode::kManifestUnknown);
}

TEST_F(RegistryServiceTest, DigestReferenceThatDoesNotMatchTheContentIsDigestInvalid) {
  const auto image = make_image("a");
  push_blob("repo", image.config);
  push_blob("repo", image.layer);
  const auto other = common::crypto::digest_of("other content");
  auto put = service_->put_manifest("repo", other.str(), image.manifest, media_type::kOciManifest);
  EXPECT_EQ(code_of(put), ErrorCode::kDigestInvalid);
  // The same check holds for a sha512 reference.
  const auto sha512 = common::crypto::digest_of("other content", common::DigestAlgorithm::kSha512);
  EXPECT_EQ(code_of(service_->put_manifest("repo", sha512.str(), image.manifest,
                                           media_type::kOciManifest)),
            ErrorCode::kDigestInvalid);
  EXPECT_EQ(code_of(service_->get_manifest("repo", other.str())), ErrorCode::kManifestUnknown);
  EXPECT_EQ(code_of(service_->get_manifest("repo", image.digest().str())),
            ErrorCode::kManifestUnknown);
  // A digest reference that matches under sha512 is accepted and served under that digest.
  const auto right512 = common::crypto::digest_of(image.manifest, common::DigestAlgorithm::kSha512);
  ASSERT_TRUE(
      service_->put_manifest("repo", right512.str(), image.manifest, media_type::kOciManifest)
          .has_value());
  EXPECT_EQ(service_->get_manifest("repo", right512.str()).value()->digest, right512);
}

TEST_F(RegistryServiceTest, ManifestOverTheLimitIsTooLarge) {
  max_manifest_bytes_ = 64;
  open();
  const auto image = make_image("a");  // a few hundred bytes
  push_blob("repo", image.config);
  push_blob("repo", image.layer);
  ASSERT_GT(image.manifest.size(), 64u);
  EXPECT_EQ(code_of(service_->put_manifest("repo", "v1", image.manifest, media_type::kOciManifest)),
            ErrorCode::kTooLarge);
  EXPECT_EQ(code_of(service_->get_manifest("repo", "v1")), ErrorCode::kManifestUnknown);
}

TEST_F(RegistryServiceTest, ManifestReferencingAMissingBlobIsManifestBlobUnknown) {
  const auto image = make_image("a");
  push_blob("repo", image.config);  // the layer is never pushed
  EXPECT_EQ(code_of(service_->put_manifest("repo", "v1", image.manifest, media_type::kOciManifest)),
            ErrorCode::kManifestBlobUnknown);
  // A blob pushed to another repository does not count either.
  push_blob("elsewhere", image.layer);
  EXPECT_EQ(code_of(service_->put_manifest("repo", "v1", image.manifest, media_type::kOciManifest)),
            ErrorCode::kManifestBlobUnknown);
  // The repository exists (it holds a blob) but has no manifest, and is not listed.
  EXPECT_EQ(code_of(service_->get_manifest("repo", "v1")), ErrorCode::kManifestUnknown);
  EXPECT_TRUE(service_->list_repositories(10, "").value().empty());
}

TEST_F(RegistryServiceTest, IndexWithAMissingChildIsManifestBlobUnknown) {
  const auto amd64 = make_image("amd64");
  const auto arm64 = make_image("arm64");
  push_image("repo", amd64, amd64.digest().str());  // arm64's manifest is never pushed
  const auto index = make_index({amd64.manifest, arm64.manifest});
  EXPECT_EQ(code_of(service_->put_manifest("repo", "v1", index, media_type::kOciIndex)),
            ErrorCode::kManifestBlobUnknown);
  EXPECT_EQ(code_of(service_->get_manifest("repo", "v1")), ErrorCode::kManifestUnknown);

  push_image("repo", arm64, arm64.digest().str());
  auto put = service_->put_manifest("repo", "v1", index, media_type::kOciIndex);
  ASSERT_TRUE(put.has_value()) << put.error().detail();
  auto got = service_->get_manifest("repo", "v1");
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ((*got)->media_type, media_type::kOciIndex);
  EXPECT_EQ((*got)->digest, common::crypto::digest_of(index));
}

TEST_F(RegistryServiceTest, InvalidNamesAndReferencesAreRefused) {
  const auto image = make_image("a");
  for (const char* name : {"", "Upper/case", "a//b", "../etc", "a/", "-a", "a b"}) {
    SCOPED_TRACE(name);
    EXPECT_EQ(code_of(service_->put_manifest(name, "v1", image.manifest, media_type::kOciManifest)),
              ErrorCode::kNameInvalid);
    EXPECT_EQ(code_of(service_->get_manifest(name, "v1")), ErrorCode::kNameInvalid);
    EXPECT_EQ(code_of(service_->delete_manifest(name, "v1")), ErrorCode::kNameInvalid);
    EXPECT_EQ(code_of(service_->stat_blob(name, image.layer_digest())), ErrorCode::kNameInvalid);
    EXPECT_EQ(code_of(service_->start_upload(name)), ErrorCode::kNameInvalid);
  }
  const std::string long_tag(129, 'a');
  for (const std::string& tag : {std::string("-v1"), std::string(".v1"), std::string("v 1"),
                                 std::string("v/1"), long_tag, std::string()}) {
    SCOPED_TRACE(tag);
    EXPECT_EQ(
        code_of(service_->put_manifest("repo", tag, image.manifest, media_type::kOciManifest)),
        ErrorCode::kManifestInvalid);
    // A pull of a reference that cannot exist finds nothing: 404, as the spec's pulls allow.
    EXPECT_EQ(code_of(service_->get_manifest("repo", tag)), ErrorCode::kManifestUnknown);
  }
  // A reference with a colon is a digest: a malformed one is kDigestInvalid on push, and
  // names nothing on pull.
  for (const char* reference : {"sha256:abc", "md5:00", "sha256:" /* empty hex */}) {
    SCOPED_TRACE(reference);
    EXPECT_EQ(code_of(service_->put_manifest("repo", reference, image.manifest,
                                             media_type::kOciManifest)),
              ErrorCode::kDigestInvalid);
    EXPECT_EQ(code_of(service_->get_manifest("repo", reference)), ErrorCode::kManifestUnknown);
  }
  EXPECT_TRUE(service_->list_repositories(10, "").value().empty());
  // The longest tag the grammar allows is fine.
  push_blob("repo", image.config);
  push_blob("repo", image.layer);
  EXPECT_TRUE(
      service_
          ->put_manifest("repo", std::string(128, 'a'), image.manifest, media_type::kOciManifest)
          .has_value());
}

TEST_F(RegistryServiceTest, DeleteByTagKeepsTheManifest) {
  const auto image = make_image("a");
  push_image("repo", image, "v1");
  ASSERT_TRUE(service_->put_manifest("repo", "latest", image.manifest, media_type::kOciManifest)
                  .has_value());

  ASSERT_TRUE(service_->delete_manifest("repo", "v1").has_value());
  EXPECT_EQ(code_of(service_->get_manifest("repo", "v1")), ErrorCode::kManifestUnknown);
  EXPECT_EQ(service_->get_manifest("repo", "latest").value()->digest, image.digest());
  EXPECT_EQ(service_->get_manifest("repo", image.digest().str()).value()->digest, image.digest());
  EXPECT_EQ(service_->list_tags("repo", 10, "").value(), std::vector<std::string>{"latest"});
  EXPECT_EQ(code_of(service_->delete_manifest("repo", "v1")), ErrorCode::kManifestUnknown);
}

TEST_F(RegistryServiceTest, DeleteByDigestRemovesTheManifestAndItsTags) {
  const auto image = make_image("a");
  const auto other = make_image("b");
  push_image("repo", image, "v1");
  ASSERT_TRUE(service_->put_manifest("repo", "latest", image.manifest, media_type::kOciManifest)
                  .has_value());
  push_image("repo", other, "v2");

  ASSERT_TRUE(service_->delete_manifest("repo", image.digest().str()).has_value());
  EXPECT_EQ(code_of(service_->get_manifest("repo", image.digest().str())),
            ErrorCode::kManifestUnknown);
  EXPECT_EQ(code_of(service_->get_manifest("repo", "v1")), ErrorCode::kManifestUnknown);
  EXPECT_EQ(code_of(service_->get_manifest("repo", "latest")), ErrorCode::kManifestUnknown);
  EXPECT_EQ(service_->get_manifest("repo", "v2").value()->digest, other.digest());
  EXPECT_EQ(service_->list_tags("repo", 10, "").value(), std::vector<std::string>{"v2"});
  EXPECT_EQ(code_of(service_->delete_manifest("repo", image.digest().str())),
            ErrorCode::kManifestUnknown);
  // The blobs stay linked until GC decides.
  EXPECT_TRUE(service_->stat_blob("repo", image.layer_digest()).has_value());
}

TEST_F(RegistryServiceTest, ARepositoryServesOnlyBlobsItHolds) {
  const auto digest = push_blob("a", "some bytes");
  EXPECT_EQ(service_->stat_blob("a", digest).value(), 10u);
  auto opened = service_->open_blob("a", digest);
  ASSERT_TRUE(opened.has_value());
  EXPECT_EQ(opened->size, 10u);
  EXPECT_TRUE(opened->fd.get() >= 0);

  EXPECT_EQ(code_of(service_->stat_blob("b", digest)), ErrorCode::kBlobUnknown);
  EXPECT_EQ(code_of(service_->open_blob("b", digest)), ErrorCode::kBlobUnknown);
  const auto absent = common::crypto::digest_of("absent");
  EXPECT_EQ(code_of(service_->stat_blob("a", absent)), ErrorCode::kBlobUnknown);
  EXPECT_EQ(code_of(service_->open_blob("a", absent)), ErrorCode::kBlobUnknown);

  ASSERT_TRUE(service_->delete_blob("a", digest).has_value());
  EXPECT_EQ(code_of(service_->stat_blob("a", digest)), ErrorCode::kBlobUnknown);
  EXPECT_EQ(code_of(service_->delete_blob("a", digest)), ErrorCode::kBlobUnknown);
}

TEST_F(RegistryServiceTest, MountLinksABlobHeldByTheSourceRepository) {
  const auto digest = push_blob("a", "shared layer");
  auto mounted = service_->mount_blob("b", "a", digest);
  ASSERT_TRUE(mounted.has_value());
  EXPECT_TRUE(*mounted);
  EXPECT_EQ(service_->stat_blob("b", digest).value(), 12u);
  EXPECT_EQ(service_->storage_stats().blobs, 1u);  // one copy on disk

  // A source that does not hold the blob (or is no valid name) mounts nothing.
  EXPECT_FALSE(service_->mount_blob("c", "absent", digest).value());
  EXPECT_FALSE(service_->mount_blob("c", "Invalid Name", digest).value());
  EXPECT_FALSE(service_->mount_blob("c", "a", common::crypto::digest_of("absent")).value());
  EXPECT_EQ(code_of(service_->stat_blob("c", digest)), ErrorCode::kBlobUnknown);
  EXPECT_EQ(code_of(service_->mount_blob("Invalid Name", "a", digest)), ErrorCode::kNameInvalid);
}

TEST_F(RegistryServiceTest, LinkStoredBlobGivesARepositoryABlobByDigestAlone) {
  const auto digest = push_blob("a", "shared layer");
  ASSERT_TRUE(service_->delete_blob("a", digest).has_value());  // stored, linked nowhere
  auto linked = service_->link_stored_blob("b", digest);
  ASSERT_TRUE(linked.has_value());
  EXPECT_TRUE(*linked);
  EXPECT_EQ(service_->stat_blob("b", digest).value(), 12u);
  EXPECT_EQ(service_->storage_stats().blobs, 1u);

  EXPECT_FALSE(service_->link_stored_blob("c", common::crypto::digest_of("absent")).value());
  EXPECT_EQ(code_of(service_->stat_blob("c", common::crypto::digest_of("absent"))),
            ErrorCode::kBlobUnknown);
  EXPECT_EQ(code_of(service_->link_stored_blob("Invalid Name", digest)), ErrorCode::kNameInvalid);
}

TEST_F(RegistryServiceTest, FinishUploadWithTheWrongDigestMakesNothingVisible) {
  auto state = service_->start_upload("repo");
  ASSERT_TRUE(state.has_value());
  const auto id = state->id.str();
  {
    auto writer = service_->open_upload("repo", id, 0);
    ASSERT_TRUE(writer.has_value());
    ASSERT_TRUE(writer->write("actual bytes").has_value());
  }
  const auto claimed = common::crypto::digest_of("claimed bytes");
  const auto actual = common::crypto::digest_of("actual bytes");
  EXPECT_EQ(code_of(service_->finish_upload("repo", id, claimed)), ErrorCode::kDigestInvalid);

  EXPECT_EQ(code_of(service_->stat_blob("repo", claimed)), ErrorCode::kBlobUnknown);
  EXPECT_EQ(code_of(service_->stat_blob("repo", actual)), ErrorCode::kBlobUnknown);
  EXPECT_EQ(service_->storage_stats().blobs, 0u);
  EXPECT_EQ(code_of(service_->upload_status("repo", id)), ErrorCode::kBlobUploadUnknown);
  EXPECT_TRUE(service_->list_repositories(10, "").value().empty());
}

TEST_F(RegistryServiceTest, UploadsBelongToTheirRepository) {
  auto state = service_->start_upload("a");
  ASSERT_TRUE(state.has_value());
  const auto id = state->id.str();
  EXPECT_EQ(code_of(service_->upload_status("b", id)), ErrorCode::kBlobUploadUnknown);
  EXPECT_EQ(code_of(service_->open_upload("b", id, 0)), ErrorCode::kBlobUploadUnknown);
  EXPECT_EQ(code_of(service_->finish_upload("b", id, common::crypto::digest_of(""))),
            ErrorCode::kBlobUploadUnknown);
  EXPECT_EQ(code_of(service_->upload_status("a", "not-an-id")), ErrorCode::kBlobUploadUnknown);
  EXPECT_EQ(service_->upload_status("a", id).value().size, 0u);
}

TEST_F(RegistryServiceTest, ASecondServiceOnTheSameDataDirIsAConflict) {
  auto second = RegistryService::open(config(), common::log::null_logger());
  ASSERT_FALSE(second.has_value());
  EXPECT_EQ(second.error().code(), ErrorCode::kConflict);
  // Once the first is closed, the directory is free again.
  service_.reset();
  auto third = RegistryService::open(config(), common::log::null_logger());
  EXPECT_TRUE(third.has_value());
}

TEST_F(RegistryServiceTest, MissingDataDirIsInvalidArgument) {
  RegistryConfig config;
  EXPECT_EQ(code_of(RegistryService::open(config, common::log::null_logger())),
            ErrorCode::kInvalidArgument);
}

TEST_F(RegistryServiceTest, ReopeningSeesEverythingThatWasCommitted) {
  const auto image = make_image("a");
  const auto moved = make_image("b");
  push_image("team/app", image, "v1");
  push_image("team/app", moved, "latest");
  ASSERT_TRUE(service_->put_manifest("team/app", "latest", image.manifest, media_type::kOciManifest)
                  .has_value());  // retag
  ASSERT_TRUE(service_->delete_manifest("team/app", moved.digest().str()).has_value());
  const auto loose = push_blob("other", "loose blob");
  ASSERT_TRUE(service_->get_manifest("team/app", "v1").has_value());  // index loaded before close

  open();  // a fresh process: the index starts empty and reloads from SQLite
  auto by_tag = service_->get_manifest("team/app", "latest");
  ASSERT_TRUE(by_tag.has_value());
  EXPECT_EQ((*by_tag)->digest, image.digest());
  EXPECT_EQ((*by_tag)->content, image.manifest);
  EXPECT_EQ((*by_tag)->media_type, media_type::kOciManifest);
  EXPECT_EQ(service_->get_manifest("team/app", "v1").value()->digest, image.digest());
  EXPECT_EQ(service_->get_manifest("team/app", image.digest().str()).value().get(), by_tag->get());
  EXPECT_EQ(code_of(service_->get_manifest("team/app", moved.digest().str())),
            ErrorCode::kManifestUnknown);
  EXPECT_EQ(service_->list_tags("team/app", 10, "").value(),
            (std::vector<std::string>{"latest", "v1"}));
  EXPECT_EQ(service_->stat_blob("team/app", image.layer_digest()).value(), image.layer.size());
  EXPECT_EQ(service_->stat_blob("other", loose).value(), 10u);
}

TEST_F(RegistryServiceTest, GarbageCollectionKeepsReferencedBlobs) {
  RegistryConfig no_grace = config();
  no_grace.gc_grace = std::chrono::seconds(0);  // every blob is old enough to collect
  service_.reset();
  service_ = RegistryService::open(no_grace, common::log::null_logger()).value();
  const auto image = make_image("a");
  push_image("repo", image, "v1");
  const auto loose = push_blob("repo", "unreferenced");

  auto report = service_->collect_garbage();
  ASSERT_TRUE(report.has_value());
  EXPECT_EQ(report->blobs_deleted, 1u);
  EXPECT_EQ(report->bytes_freed, 12u);
  EXPECT_EQ(report->blobs_kept, 2u);
  EXPECT_EQ(code_of(service_->stat_blob("repo", loose)), ErrorCode::kBlobUnknown);
  EXPECT_TRUE(service_->stat_blob("repo", image.layer_digest()).has_value());
  EXPECT_EQ(service_->get_manifest("repo", "v1").value()->digest, image.digest());
}

// `readers` threads hammer tag "t" of a fresh repository, starting with its first load into the
// index, while `writers` threads retag it (each to its own image, three times). A 2 MiB annotation
// on the first image makes that load slow, so writes land inside it. Once the writes are done the
// index must serve what SQLite holds (read through a second connection). Repeats with fresh
// repositories until `budget` runs out; reports the first round that disagrees.
void RegistryServiceTest::race_gets_against_puts(int writers, int readers,
                                                 std::chrono::seconds budget) {
  std::vector<Image> images;
  for (int i = 0; i <= writers; ++i) images.push_back(make_image("img" + std::to_string(i)));
  images[0].manifest.insert(images[0].manifest.size() - 1,
                            R"(,"annotations":{"padding":")" + std::string(2 << 20, 'p') + "\"}");
  std::vector<std::string> digests;
  for (const auto& image : images) digests.push_back(image.digest().str());
  const auto image_of = [&](const std::string& digest) {
    return std::find(digests.begin(), digests.end(), digest) - digests.begin();
  };
  auto store = meta::MetadataStore::open(storage::StoragePaths(config().data_dir).database(),
                                         system_clock());
  ASSERT_TRUE(store.has_value());
  for (const auto& image : images) {
    push_blob("race/source", image.config);
    push_blob("race/source", image.layer);
  }

  const auto deadline = std::chrono::steady_clock::now() + budget;
  int rounds = 0;
  for (; std::chrono::steady_clock::now() < deadline; ++rounds) {
    const std::string repo = "race/r" + std::to_string(rounds);
    for (const auto& image : images) {
      ASSERT_TRUE(service_->mount_blob(repo, "race/source", image.config_digest()).value());
      ASSERT_TRUE(service_->mount_blob(repo, "race/source", image.layer_digest()).value());
    }
    ASSERT_TRUE(service_->put_manifest(repo, "t", images[0].manifest, media_type::kOciManifest)
                    .has_value());
    std::atomic<bool> writing{true};
    std::vector<std::thread> writer_threads, reader_threads;
    for (int r = 0; r < readers; ++r) {
      reader_threads.emplace_back([&] {
        while (writing.load()) {
          // A lookup overlapping the first load may fail today (see the disabled test in
          // meta/manifest_index_test.cpp); one that succeeds serves a pushed image.
          auto got = service_->get_manifest(repo, "t");
          if (got) {
            EXPECT_LT(image_of((*got)->digest_str), static_cast<long>(digests.size()));
          }
        }
      });
    }
    for (int w = 1; w <= writers; ++w) {
      writer_threads.emplace_back([&, w] {
        for (int k = 0; k < 3; ++k) {
          EXPECT_TRUE(
              service_->put_manifest(repo, "t", images[w].manifest, media_type::kOciManifest)
                  .has_value());
        }
      });
    }
    for (auto& thread : writer_threads) thread.join();
    writing = false;
    for (auto& thread : reader_threads) thread.join();

    auto snapshot = (*store)->load_repository(repo);
    ASSERT_TRUE(snapshot.has_value());
    ASSERT_EQ(snapshot->tags.size(), 1u);
    auto in_memory = service_->get_manifest(repo, "t");
    ASSERT_TRUE(in_memory.has_value());
    ASSERT_EQ((*in_memory)->digest, snapshot->tags[0].second)
        << "round " << rounds << ": the index serves image " << image_of((*in_memory)->digest_str)
        << " for tag t, SQLite holds image " << image_of(snapshot->tags[0].second.str());
  }
  EXPECT_GT(rounds, 0);
}

// One pusher: its writes land between readers' snapshot loads and their inserts.
TEST_F(RegistryServiceTest, ManifestIndexAgreesWithSqliteAfterGetsRacingAPush) {
  race_gets_against_puts(1, 3, std::chrono::seconds(3));
}

// Concurrent pushes of one tag must leave the index where SQLite is: index updates follow
// the commit order (they once did not, and an older manifest could win until restart).
TEST_F(RegistryServiceTest, ConcurrentPushesOfOneTagLeaveTheIndexAgreeingWithSqlite) {
  race_gets_against_puts(4, 6, std::chrono::seconds(3));
}

}  // namespace
}  // namespace registry
