// What RegistryService does to the disk, seen through the FileSystem seam and a fake clock:
// which files and directories are made durable and in which order, what a failing disk
// leaves behind, and how garbage collection is ordered against pushes.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "common/crypto/hasher.hpp"
#include "common/db/sqlite_database.hpp"
#include "common/oci/media_types.hpp"
#include "registry/registry_service.hpp"
#include "testutil/fake_clock.hpp"
#include "testutil/fault_file_system.hpp"
#include "testutil/temp_dir.hpp"

namespace registry {
namespace {

using common::Digest;
using common::ErrorCode;
namespace media_type = common::oci::media_type;

std::string descriptor(std::string_view type, const Digest& digest, std::size_t size) {
  return std::string(R"({"mediaType":")") + std::string(type) + R"(","digest":")" + digest.str() +
         R"(","size":)" + std::to_string(size) + "}";
}

// An image manifest over one config and one layer of the given contents and sizes.
std::string image_manifest(std::string_view config, std::string_view layer,
                           std::size_t layer_size) {
  return std::string(R"({"schemaVersion":2,"mediaType":")") +
         std::string(media_type::kOciManifest) + R"(","config":)" +
         descriptor("application/vnd.oci.image.config.v1+json", common::crypto::digest_of(config),
                    config.size()) +
         R"(,"layers":[)" +
         descriptor("application/vnd.oci.image.layer.v1.tar", common::crypto::digest_of(layer),
                    layer_size) +
         "]}";
}

class RegistryServiceDiskTest : public ::testing::Test {
 protected:
  void SetUp() override { open(); }
  void open() {
    service_.reset();
    RegistryConfig config;
    config.data_dir = dir_.str() + "/data";
    config.gc_grace = grace_;
    config.upload_max_idle = upload_max_idle_;
    auto opened =
        RegistryService::open(config, common::log::null_logger(), RegistryEnv{&fs_, &clock_});
    ASSERT_TRUE(opened.has_value()) << opened.error().message();
    service_ = std::move(*opened);
  }

  // Uploads `content` to `repository` in one chunk, as POST ?digest= does.
  common::Result<std::uint64_t> push_blob(std::string_view repository, std::string_view content) {
    auto state = service_->start_upload(repository);
    if (!state) return common::fail(state.error());
    {
      auto writer = service_->open_upload(repository, state->id.str(), 0);
      if (!writer) return common::fail(writer.error());
      if (auto status = writer->write(content); !status) return common::fail(status.error());
    }
    return service_->finish_upload(repository, state->id.str(), common::crypto::digest_of(content));
  }

  testutil::TempDir dir_;
  testutil::FaultFileSystem fs_;
  testutil::FakeClock clock_;
  std::chrono::seconds grace_{3600};
  std::chrono::seconds upload_max_idle_{24 * 3600};
  std::unique_ptr<RegistryService> service_;
};

// A published blob is durable before anyone can see it: its bytes are fsynced before the
// rename that makes it visible, and the directory after it.
TEST_F(RegistryServiceDiskTest, APublishedBlobAndItsDirectoryAreFsyncedInOrder) {
  fs_.clear_journal();
  ASSERT_TRUE(push_blob("repo", "durable bytes").has_value());
  const auto digest = common::crypto::digest_of("durable bytes");
  const storage::StoragePaths paths(dir_.str() + "/data");
  const auto journal = fs_.journal();
  auto at = [&](std::string_view prefix, std::string_view has) {
    const auto it = std::find_if(journal.begin(), journal.end(), [&](const std::string& line) {
      return line.starts_with(prefix) && line.find(has) != std::string::npos;
    });
    return it == journal.end() ? -1 : static_cast<int>(it - journal.begin());
  };
  const int data_sync = at("sync ", "/uploads/");
  const int rename = at("rename ", paths.blob(digest));
  const int dir_sync = at("sync " + paths.blob_dir(digest), "");
  ASSERT_GE(data_sync, 0) << "the upload's bytes were never fsynced";
  ASSERT_GE(rename, 0);
  ASSERT_GE(dir_sync, 0) << "the blob's directory was never fsynced";
  EXPECT_LT(data_sync, rename);
  EXPECT_LT(rename, dir_sync);
}

// A disk that fails at any step of publishing leaves no visible, linked or half-written blob,
// and a retry on a healthy disk succeeds.
TEST_F(RegistryServiceDiskTest, AFailedPublishLeavesNothingVisible) {
  const storage::StoragePaths paths(dir_.str() + "/data");
  for (const char* op : {"sync", "rename"}) {
    SCOPED_TRACE(op);
    const std::string content = std::string("blob for ") + op;
    const auto digest = common::crypto::digest_of(content);
    fs_.arm({op, std::string(op) == "sync" ? "/uploads/" : "/blobs/", EIO});
    auto pushed = push_blob("repo", content);
    ASSERT_FALSE(pushed.has_value());
    EXPECT_EQ(service_->stat_blob("repo", digest).error().code(), ErrorCode::kBlobUnknown);
    EXPECT_EQ(service_->storage_stats().blobs, 0u);
    ASSERT_TRUE(push_blob("repo", content).has_value());  // the retry
    EXPECT_EQ(service_->stat_blob("repo", digest).value(), content.size());
    ASSERT_TRUE(service_->delete_blob("repo", digest).has_value());
    clock_.advance(std::chrono::hours(2));
    ASSERT_TRUE(service_->collect_garbage().has_value());
  }
}

// ENOSPC in the middle of a chunk (a torn write) cuts the session back to where the request
// found it, so the client's retry of that request fits and the blob verifies.
TEST_F(RegistryServiceDiskTest, ATornWriteIsUndoneAndTheRetrySucceeds) {
  auto state = service_->start_upload("repo");
  ASSERT_TRUE(state.has_value());
  {
    auto writer = service_->open_upload("repo", state->id.str(), 0);
    ASSERT_TRUE(writer.has_value());
    ASSERT_TRUE(writer->write("first ").has_value());
  }
  fs_.arm({"write", "/uploads/", ENOSPC, 3});
  {
    auto writer = service_->open_upload("repo", state->id.str(), 6);
    ASSERT_TRUE(writer.has_value());
    auto failed = writer->write("second chunk");
    ASSERT_FALSE(failed.has_value());
    EXPECT_EQ(failed.error().code(), ErrorCode::kResourceExhausted);
  }
  EXPECT_EQ(service_->upload_status("repo", state->id.str()).value().size, 6u);
  {
    auto writer = service_->open_upload("repo", state->id.str(), 6);
    ASSERT_TRUE(writer.has_value());
    ASSERT_TRUE(writer->write("second chunk").has_value());
  }
  const auto digest = common::crypto::digest_of("first second chunk");
  EXPECT_EQ(service_->finish_upload("repo", state->id.str(), digest).value(), 18u);
}

// The grace period is measured on the injected clock: an unreferenced blob stays while it is
// younger than the grace and goes once it is older.
TEST_F(RegistryServiceDiskTest, TheGracePeriodRunsOnTheInjectedClock) {
  ASSERT_TRUE(push_blob("repo", "orphan").has_value());
  const auto digest = common::crypto::digest_of("orphan");
  clock_.advance(grace_ - std::chrono::seconds(5));
  EXPECT_EQ(service_->collect_garbage().value().blobs_deleted, 0u);
  EXPECT_TRUE(service_->stat_blob("repo", digest).has_value());
  clock_.advance(std::chrono::seconds(10));
  EXPECT_EQ(service_->collect_garbage().value().blobs_deleted, 1u);
  EXPECT_EQ(service_->stat_blob("repo", digest).error().code(), ErrorCode::kBlobUnknown);
}

// A manifest must agree with the blobs it names: a descriptor whose size is not the stored
// blob's is refused, and nothing is stored.
TEST_F(RegistryServiceDiskTest, ADescriptorSizeThatDiffersFromTheBlobIsRefused) {
  ASSERT_TRUE(push_blob("repo", "{}").has_value());
  ASSERT_TRUE(push_blob("repo", "layer").has_value());
  const auto lying = image_manifest("{}", "layer", 4096);
  auto put = service_->put_manifest("repo", "v1", lying, media_type::kOciManifest);
  ASSERT_FALSE(put.has_value());
  EXPECT_EQ(put.error().code(), ErrorCode::kManifestInvalid);
  EXPECT_EQ(service_->get_manifest("repo", "v1").error().code(), ErrorCode::kManifestUnknown);
  EXPECT_TRUE(
      service_
          ->put_manifest("repo", "v1", image_manifest("{}", "layer", 5), media_type::kOciManifest)
          .has_value());
}

// The review's race: with no grace at all, GC runs every few milliseconds (0 to 39) while a client
// pushes blobs, pushes a manifest over them and deletes it again, round after round. GC may take a
// blob that nothing references yet (the manifest push then fails cleanly, with the blob's
// link gone too), but a manifest that was accepted always has every blob on disk, and so
// does every manifest still there at the end.
TEST_F(RegistryServiceDiskTest, GcNeverLeavesAnAcceptedManifestOverAMissingBlob) {
  grace_ = std::chrono::seconds(0);
  open();
  // The last step of publishing a blob (its directory's fsync) takes 2 ms, so a GC run lands
  // between a blob's publish and its link often, not once in a million.
  fs_.arm({"sync", "/blobs/sha256/", 0, 0, -1, std::chrono::milliseconds(2)});
  std::atomic<bool> done{false};
  std::thread collector([&] {
    // Pauses of 0 to 39 ms: often enough to land in every window, rarely enough that pushes
    // get through.
    for (unsigned pause = 0; !done;) {
      (void)service_->collect_garbage();
      std::this_thread::sleep_for(std::chrono::milliseconds(pause++ % 40));
    }
  });
  int accepted = 0, refused = 0, broken = 0;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(3);
  for (int round = 0; round < 400 && std::chrono::steady_clock::now() < deadline; ++round) {
    const std::string config = "{\"round\":" + std::to_string(round) + "}";
    const std::string layer = "layer of round " + std::to_string(round);
    if (!push_blob("repo", config) || !push_blob("repo", layer)) continue;
    const auto manifest = image_manifest(config, layer, layer.size());
    auto put = service_->put_manifest("repo", "t", manifest, media_type::kOciManifest);
    if (!put) {
      EXPECT_EQ(put.error().code(), ErrorCode::kManifestBlobUnknown) << put.error().detail();
      // Refused because GC took a blob: then the repository no longer claims to hold it.
      for (const auto& content : {config, layer}) {
        auto blob = service_->open_blob("repo", common::crypto::digest_of(content));
        if (blob && blob->size != content.size()) ++broken;
      }
      ++refused;
      continue;
    }
    ++accepted;
    for (const auto& content : {config, layer}) {
      auto blob = service_->open_blob("repo", common::crypto::digest_of(content));
      if (!blob || blob->size != content.size()) ++broken;
    }
    if (round % 2 == 0) (void)service_->delete_manifest("repo", put->digest.str());
  }
  done = true;
  collector.join();
  EXPECT_EQ(broken, 0) << accepted << " accepted, " << refused << " refused";
  EXPECT_GT(accepted, 0);
  // Underneath: no repository holds a link to a blob whose file is gone (GC removes a blob
  // and its links as one step, never between a publish and its link).
  const storage::StoragePaths paths(dir_.str() + "/data");
  auto db = common::db::SqliteDatabase::open(paths.database());
  ASSERT_TRUE(db.has_value());
  auto links = (*db)->prepare("SELECT DISTINCT digest FROM repository_blobs");
  ASSERT_TRUE(links.has_value());
  int dangling = 0;
  ASSERT_TRUE(links
                  ->for_each_row([&]() -> common::Status {
                    auto digest = Digest::parse(links->column_text(0));
                    if (!digest || ::access(paths.blob(*digest).c_str(), F_OK) != 0) ++dangling;
                    return {};
                  })
                  .has_value());
  EXPECT_EQ(dangling, 0);
  // Restart: whatever is tagged is whole.
  open();
  if (auto tagged = service_->get_manifest("repo", "t")) {
    auto parsed = common::oci::parse_manifest((*tagged)->content, media_type::kOciManifest);
    ASSERT_TRUE(parsed.has_value());
    EXPECT_TRUE(service_->open_blob("repo", parsed->config->digest).has_value());
    EXPECT_TRUE(service_->open_blob("repo", parsed->layers[0].digest).has_value());
  }
}

// GC's clean-up of idle uploads never fails a live upload's request: a request that meets
// the purge checking its session waits for it instead of getting "being written".
TEST_F(RegistryServiceDiskTest, PurgingIdleUploadsNeverFailsALiveOne) {
  upload_max_idle_ = std::chrono::seconds(3600);
  open();
  auto state = service_->start_upload("repo");
  ASSERT_TRUE(state.has_value());
  std::atomic<bool> done{false};
  std::thread collector([&] {
    while (!done) (void)service_->collect_garbage();
  });
  std::string written;
  int failures = 0;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
  for (int i = 0; i < 3000 && std::chrono::steady_clock::now() < deadline; ++i) {
    auto writer = service_->open_upload("repo", state->id.str(), written.size());
    if (!writer) {
      ++failures;
      ADD_FAILURE() << writer.error().message();
      break;
    }
    const std::string chunk = std::to_string(i) + ",";
    ASSERT_TRUE(writer->write(chunk).has_value());
    written += chunk;
  }
  done = true;
  collector.join();
  EXPECT_EQ(failures, 0);
  EXPECT_EQ(
      service_->finish_upload("repo", state->id.str(), common::crypto::digest_of(written)).value(),
      written.size());
}

}  // namespace
}  // namespace registry
