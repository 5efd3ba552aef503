#include "registry/storage/fs_blob_store.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "common/crypto/hasher.hpp"
#include "common/fs/file_ops.hpp"
#include "testutil/temp_dir.hpp"

namespace registry::storage {
namespace {

using common::ErrorCode;

// A data dir with an initialised blob store, and files staged beside it as uploads are.
class FsBlobStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(blobs_.init().has_value());
    ASSERT_TRUE(common::fs::make_dirs(staging_).has_value());
  }

  // Writes `content` to a new staged file and returns its path.
  std::string stage(std::string_view content) {
    const auto path = staging_ + "/staged" + std::to_string(staged_++);
    std::ofstream(path, std::ios::binary) << content;
    return path;
  }

  static void set_mtime(const std::string& path, std::time_t when) {
    const struct timespec times[2] = {{when, 0}, {when, 0}};
    ASSERT_EQ(::utimensat(AT_FDCWD, path.c_str(), times, 0), 0);
  }

  static std::string read_fd(int fd) {
    std::string out;
    char buffer[4096];
    for (ssize_t n; (n = ::pread(fd, buffer, sizeof buffer, static_cast<off_t>(out.size()))) > 0;)
      out.append(buffer, static_cast<std::size_t>(n));
    return out;
  }

  testutil::TempDir dir_;
  StoragePaths paths_{dir_.str()};
  FsBlobStore blobs_{paths_};
  std::string staging_ = dir_.str() + "/uploads";
  int staged_ = 0;
};

TEST_F(FsBlobStoreTest, UnknownBlobIsBlobUnknown) {
  const auto digest = common::crypto::digest_of("absent");
  EXPECT_EQ(blobs_.stat(digest).error().code(), ErrorCode::kBlobUnknown);
  EXPECT_EQ(blobs_.open(digest).error().code(), ErrorCode::kBlobUnknown);
  EXPECT_EQ(blobs_.retain(digest).error().code(), ErrorCode::kBlobUnknown);
}

TEST_F(FsBlobStoreTest, PublishRenamesTheStagedFileIntoPlace) {
  const std::string content = "layer bytes";
  const auto digest = common::crypto::digest_of(content);
  const auto staged = stage(content);
  struct stat before {};
  ASSERT_EQ(::stat(staged.c_str(), &before), 0);

  ASSERT_TRUE(blobs_.publish(staged, digest).has_value());

  // The very same inode, moved by rename(2): the blob never exists half-written.
  struct stat after {};
  ASSERT_EQ(::stat(paths_.blob(digest).c_str(), &after), 0);
  EXPECT_EQ(before.st_ino, after.st_ino);
  EXPECT_FALSE(std::filesystem::exists(staged));
  EXPECT_EQ(blobs_.stat(digest).value().size, content.size());
  auto blob = blobs_.open(digest);
  ASSERT_TRUE(blob.has_value());
  EXPECT_EQ(blob->size, content.size());
  EXPECT_EQ(read_fd(blob->fd.get()), content);
  // Nothing but the blob itself appears in its directory (no temp files).
  std::set<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(paths_.blob_dir(digest)))
    names.insert(entry.path().filename().string());
  EXPECT_EQ(names, std::set<std::string>{digest.hex()});
}

TEST_F(FsBlobStoreTest, PublishingTheSameContentAgainIsIdempotent) {
  const std::string content = "same bytes";
  const auto digest = common::crypto::digest_of(content);
  ASSERT_TRUE(blobs_.publish(stage(content), digest).has_value());
  set_mtime(paths_.blob(digest), std::time(nullptr) - 7200);
  struct stat first {};
  ASSERT_EQ(::stat(paths_.blob(digest).c_str(), &first), 0);

  const auto again = stage(content);
  ASSERT_TRUE(blobs_.publish(again, digest).has_value());

  struct stat second {};
  ASSERT_EQ(::stat(paths_.blob(digest).c_str(), &second), 0);
  EXPECT_EQ(first.st_ino, second.st_ino);  // the stored blob was kept, the copy discarded
  EXPECT_FALSE(std::filesystem::exists(again));
  EXPECT_GE(blobs_.stat(digest).value().modified_unix, std::time(nullptr) - 60);  // age reset
}

TEST_F(FsBlobStoreTest, PublishStartsTheGracePeriodEvenForAnOldStagedFile) {
  // An upload whose last byte arrived long ago and is committed now must not look old to
  // GC: the blob's manifest has not been pushed yet.
  const std::string content = "slow upload";
  const auto digest = common::crypto::digest_of(content);
  const auto staged = stage(content);
  set_mtime(staged, std::time(nullptr) - 2 * 86400);
  ASSERT_TRUE(blobs_.publish(staged, digest).has_value());
  EXPECT_GE(blobs_.stat(digest).value().modified_unix, std::time(nullptr) - 60);
}

TEST_F(FsBlobStoreTest, RetainRefreshesTheAge) {
  const auto digest = common::crypto::digest_of("mounted");
  ASSERT_TRUE(blobs_.publish(stage("mounted"), digest).has_value());
  set_mtime(paths_.blob(digest), std::time(nullptr) - 7200);
  ASSERT_TRUE(blobs_.retain(digest).has_value());
  EXPECT_GE(blobs_.stat(digest).value().modified_unix, std::time(nullptr) - 60);
}

// The blob count and bytes behind /metrics are kept as blobs come and go, and counted once
// from disk when a store opens a data dir that already holds blobs.
TEST_F(FsBlobStoreTest, RemoveDeletesAndTheTotalsFollowEveryChange) {
  const auto digest = common::crypto::digest_of("garbage");
  ASSERT_TRUE(blobs_.publish(stage("garbage"), digest).has_value());
  ASSERT_TRUE(blobs_.publish(stage("garbage"), digest).has_value());  // same content again
  ASSERT_TRUE(blobs_.publish(stage("other!"), common::crypto::digest_of("other!")).has_value());
  EXPECT_EQ(blobs_.totals().blobs, 2u);
  EXPECT_EQ(blobs_.totals().bytes, 13u);

  FsBlobStore reopened(paths_);
  ASSERT_TRUE(reopened.init().has_value());
  EXPECT_EQ(reopened.totals().blobs, 2u);
  EXPECT_EQ(reopened.totals().bytes, 13u);

  EXPECT_TRUE(blobs_.remove(digest).value());
  EXPECT_EQ(blobs_.stat(digest).error().code(), ErrorCode::kBlobUnknown);
  EXPECT_FALSE(blobs_.remove(digest).value());  // nothing left to delete
  EXPECT_EQ(blobs_.totals().blobs, 1u);
  EXPECT_EQ(blobs_.totals().bytes, 6u);
}

TEST_F(FsBlobStoreTest, ForEachVisitsEveryBlobAndSkipsStrayFiles) {
  const auto a = common::crypto::digest_of("a");
  const auto b = common::crypto::digest_of("b", common::DigestAlgorithm::kSha512);
  ASSERT_TRUE(blobs_.publish(stage("a"), a).has_value());
  ASSERT_TRUE(blobs_.publish(stage("b"), b).has_value());
  std::ofstream(paths_.blob_dir(a) + "/leftover.tmp") << "x";

  std::map<std::string, std::uint64_t> seen;
  ASSERT_TRUE(blobs_
                  .for_each([&](const common::Digest& digest, const BlobStat& stat) {
                    seen[digest.str()] = stat.size;
                  })
                  .has_value());
  EXPECT_EQ(seen, (std::map<std::string, std::uint64_t>{{a.str(), 1}, {b.str(), 1}}));
}

}  // namespace
}  // namespace registry::storage
