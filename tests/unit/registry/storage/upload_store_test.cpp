#include "registry/storage/upload_store.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include <atomic>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <optional>
#include <thread>
#include <vector>

#include "common/crypto/hasher.hpp"
#include "testutil/temp_dir.hpp"

namespace registry::storage {
namespace {

using common::ErrorCode;

// Deterministic, non-repeating-looking content of `size` bytes.
std::string content_of(std::size_t size, char salt = 0) {
  std::string out(size, '\0');
  for (std::size_t i = 0; i < size; ++i)
    out[i] = static_cast<char>((i * 131 + i / 7 + salt) & 0xff);
  return out;
}

void set_mtime(const std::string& path, std::time_t when) {
  const struct timespec times[2] = {{when, 0}, {when, 0}};
  ASSERT_EQ(::utimensat(AT_FDCWD, path.c_str(), times, 0), 0);
}

// Caps the size of any file this process writes (RLIMIT_FSIZE), so a write fails the way
// it does on a full disk, without needing a small filesystem. Restores the limit on exit.
class ScopedFileSizeLimit {
 public:
  explicit ScopedFileSizeLimit(rlim_t bytes) {
    ::getrlimit(RLIMIT_FSIZE, &saved_);
    old_handler_ = ::signal(SIGXFSZ, SIG_IGN);  // the write then fails with EFBIG instead
    struct rlimit limit = saved_;
    limit.rlim_cur = bytes;
    ::setrlimit(RLIMIT_FSIZE, &limit);
  }
  ~ScopedFileSizeLimit() {
    ::setrlimit(RLIMIT_FSIZE, &saved_);
    ::signal(SIGXFSZ, old_handler_);
  }

 private:
  struct rlimit saved_ {};
  sighandler_t old_handler_;
};

class UploadStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(blobs_.init().has_value());
    ASSERT_TRUE(uploads_.init().has_value());
  }

  // Opens a writer at `offset` and appends `data`; fails the test on any error.
  static void append(UploadStore& uploads, const UploadId& id, std::uint64_t offset,
                     std::string_view data) {
    auto writer = uploads.open_writer(id, offset);
    ASSERT_TRUE(writer.has_value()) << writer.error().message();
    ASSERT_TRUE(writer->write(data).has_value());
    EXPECT_EQ(writer->size(), offset + data.size());
  }

  std::string blob_content(const common::Digest& digest) {
    std::ifstream in(paths_.blob(digest), std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }

  testutil::TempDir dir_;
  StoragePaths paths_{dir_.str()};
  FsBlobStore blobs_{paths_};
  UploadStore uploads_{paths_, blobs_};
};

TEST_F(UploadStoreTest, ChunksAreCommittedAsOneVerifiedBlob) {
  const auto content = content_of(700 * 1024);
  const auto digest = common::crypto::digest_of(content);
  auto state = uploads_.create("library/app");
  ASSERT_TRUE(state.has_value());
  EXPECT_EQ(state->size, 0u);
  EXPECT_EQ(state->repository, "library/app");

  append(uploads_, state->id, 0, std::string_view(content).substr(0, 300 * 1024));
  append(uploads_, state->id, 300 * 1024, std::string_view(content).substr(300 * 1024));
  EXPECT_EQ(uploads_.get(state->id).value().size, content.size());

  auto committed = uploads_.commit(state->id, digest);
  ASSERT_TRUE(committed.has_value()) << committed.error().message();
  EXPECT_EQ(*committed, content.size());
  EXPECT_EQ(blob_content(digest), content);
  // The session ended and left nothing behind.
  EXPECT_EQ(uploads_.get(state->id).error().code(), ErrorCode::kBlobUploadUnknown);
  EXPECT_FALSE(std::filesystem::exists(paths_.upload_dir(state->id)));
}

TEST_F(UploadStoreTest, DigestMismatchPublishesNothing) {
  const auto content = content_of(4096);
  const auto actual = common::crypto::digest_of(content);
  const auto claimed = common::crypto::digest_of("something else");
  auto state = uploads_.create("repo").value();
  append(uploads_, state.id, 0, content);

  auto committed = uploads_.commit(state.id, claimed);
  ASSERT_FALSE(committed.has_value());
  EXPECT_EQ(committed.error().code(), ErrorCode::kDigestInvalid);
  EXPECT_EQ(blobs_.stat(claimed).error().code(), ErrorCode::kBlobUnknown);
  EXPECT_EQ(blobs_.stat(actual).error().code(), ErrorCode::kBlobUnknown);
  // The session ends either way (as in distribution, which cancels a failed commit).
  EXPECT_EQ(uploads_.get(state.id).error().code(), ErrorCode::kBlobUploadUnknown);
  EXPECT_TRUE(std::filesystem::is_empty(paths_.uploads_root()));
}

TEST_F(UploadStoreTest, CommittingExistingContentIsIdempotent) {
  const auto content = content_of(10000);
  const auto digest = common::crypto::digest_of(content);
  for (int i = 0; i < 2; ++i) {
    auto state = uploads_.create("repo").value();
    append(uploads_, state.id, 0, content);
    ASSERT_EQ(uploads_.commit(state.id, digest).value(), content.size());
  }
  EXPECT_EQ(blob_content(digest), content);
  EXPECT_TRUE(std::filesystem::is_empty(paths_.uploads_root()));
}

TEST_F(UploadStoreTest, ResumesAfterRestartFromTheBytesOnDisk) {
  const auto content = content_of(1024 * 1024, 3);
  const auto digest = common::crypto::digest_of(content);
  std::optional<UploadId> id;
  {
    // First process life: the session and its running hash exist only in this object.
    FsBlobStore blobs(paths_);
    UploadStore uploads(paths_, blobs);
    id = uploads.create("repo").value().id;
    append(uploads, *id, 0, std::string_view(content).substr(0, 400 * 1024));
  }
  // Second life: a new store on the same directory knows the session from disk only.
  FsBlobStore blobs(paths_);
  UploadStore uploads(paths_, blobs);
  auto state = uploads.get(*id);
  ASSERT_TRUE(state.has_value());
  EXPECT_EQ(state->size, 400u * 1024);
  EXPECT_EQ(state->repository, "repo");
  append(uploads, *id, 400 * 1024, std::string_view(content).substr(400 * 1024));
  auto committed = uploads.commit(*id, digest);
  ASSERT_TRUE(committed.has_value()) << committed.error().message() << committed.error().detail();
  EXPECT_EQ(blob_content(digest), content);
}

TEST_F(UploadStoreTest, BytesTheRunningHashMissedAreRehashed) {
  // A crash in the middle of a chunk leaves bytes on disk the in-memory hash never saw.
  const auto content = content_of(200000, 5);
  const auto digest = common::crypto::digest_of(content);
  auto state = uploads_.create("repo").value();
  append(uploads_, state.id, 0, std::string_view(content).substr(0, 50000));
  {
    std::ofstream raw(paths_.upload_data(state.id), std::ios::binary | std::ios::app);
    raw << std::string_view(content).substr(50000, 25000);
  }
  ASSERT_EQ(uploads_.get(state.id).value().size, 75000u);
  append(uploads_, state.id, 75000, std::string_view(content).substr(75000));
  EXPECT_EQ(uploads_.commit(state.id, digest).value(), content.size());
  EXPECT_EQ(blob_content(digest), content);
}

TEST_F(UploadStoreTest, CommitVerifiesOtherAlgorithms) {
  const auto content = content_of(30000);
  const auto digest = common::crypto::digest_of(content, common::DigestAlgorithm::kSha512);
  auto state = uploads_.create("repo").value();
  append(uploads_, state.id, 0, content);
  EXPECT_EQ(uploads_.commit(state.id, digest).value(), content.size());
  EXPECT_EQ(blob_content(digest), content);
}

TEST_F(UploadStoreTest, OffsetOtherThanTheEndIsRangeInvalid) {
  auto state = uploads_.create("repo").value();
  append(uploads_, state.id, 0, "0123456789");
  for (std::uint64_t offset : {0u, 5u, 11u, 100u}) {
    auto writer = uploads_.open_writer(state.id, offset);
    ASSERT_FALSE(writer.has_value()) << offset;
    EXPECT_EQ(writer.error().code(), ErrorCode::kRangeInvalid);
    EXPECT_EQ(writer.error().detail(), "10");  // where the next chunk must start
  }
  // A rejected chunk changes nothing, and the session is not left claimed.
  EXPECT_EQ(uploads_.get(state.id).value().size, 10u);
  EXPECT_TRUE(uploads_.open_writer(state.id, 10).has_value());
  EXPECT_TRUE(uploads_.open_writer(state.id, std::nullopt).has_value());  // no offset: append
}

TEST_F(UploadStoreTest, SecondConcurrentWriterIsRejected) {
  auto state = uploads_.create("repo").value();
  {
    auto first = uploads_.open_writer(state.id, 0);
    ASSERT_TRUE(first.has_value());
    auto second = uploads_.open_writer(state.id, 0);
    ASSERT_FALSE(second.has_value());
    EXPECT_EQ(second.error().code(), ErrorCode::kBlobUploadInvalid);
    auto commit = uploads_.commit(state.id, common::crypto::digest_of(""));
    ASSERT_FALSE(commit.has_value());
    EXPECT_EQ(commit.error().code(), ErrorCode::kBlobUploadInvalid);
    ASSERT_TRUE(first->write("abc").has_value());
  }
  // The refused commit did not end the session; once the writer is gone it proceeds.
  EXPECT_EQ(uploads_.commit(state.id, common::crypto::digest_of("abc")).value(), 3u);
}

TEST_F(UploadStoreTest, ConcurrentChunksNeverOverwriteEachOther) {
  // Clients racing to append at the offset they last saw: exactly one wins each offset, so
  // the session's size is the number of bytes successfully written.
  auto state = uploads_.create("repo").value();
  constexpr int kThreads = 4;
  constexpr int kAttempts = 400;
  std::atomic<std::uint64_t> written{0};
  std::atomic<int> unexpected{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kAttempts; ++i) {
        auto seen = uploads_.get(state.id);
        if (!seen) {
          ++unexpected;
          return;
        }
        auto writer = uploads_.open_writer(state.id, seen->size);
        if (!writer) {
          const auto code = writer.error().code();
          if (code != ErrorCode::kRangeInvalid && code != ErrorCode::kBlobUploadInvalid)
            ++unexpected;
          continue;
        }
        if (writer->size() != seen->size) ++unexpected;
        if (writer->write(std::string(1, static_cast<char>('a' + t)))) ++written;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(unexpected.load(), 0);
  EXPECT_EQ(uploads_.get(state.id).value().size, written.load());
  std::ifstream in(paths_.upload_data(state.id), std::ios::binary);
  const std::string data(std::istreambuf_iterator<char>(in), {});
  EXPECT_EQ(uploads_.commit(state.id, common::crypto::digest_of(data)).value(), written.load());
}

TEST_F(UploadStoreTest, FailedWriteLeavesTheSessionAsTheRequestFoundIt) {
  const auto content = content_of(300000, 9);
  const auto digest = common::crypto::digest_of(content);
  auto state = uploads_.create("repo").value();
  append(uploads_, state.id, 0, std::string_view(content).substr(0, 1000));
  {
    auto writer = uploads_.open_writer(state.id, 1000);
    ASSERT_TRUE(writer.has_value());
    ScopedFileSizeLimit limit(64 * 1024);
    ASSERT_TRUE(writer->write(std::string_view(content).substr(1000, 40000)).has_value());
    auto failed = writer->write(std::string_view(content).substr(41000, 40000));
    ASSERT_FALSE(failed.has_value());
    // Every byte this request wrote is given back (on a full disk, that is the space).
    EXPECT_EQ(writer->size(), 1000u);
    EXPECT_EQ(uploads_.get(state.id).value().size, 1000u);
    EXPECT_EQ(std::filesystem::file_size(paths_.upload_data(state.id)), 1000u);
  }
  // The client retries the request from the same offset and the upload completes.
  append(uploads_, state.id, 1000, std::string_view(content).substr(1000));
  EXPECT_EQ(uploads_.commit(state.id, digest).value(), content.size());
  EXPECT_EQ(blob_content(digest), content);
}

TEST_F(UploadStoreTest, CancelEndsTheSession) {
  auto state = uploads_.create("repo").value();
  append(uploads_, state.id, 0, "partial");
  ASSERT_TRUE(uploads_.cancel(state.id).has_value());
  EXPECT_EQ(uploads_.get(state.id).error().code(), ErrorCode::kBlobUploadUnknown);
  EXPECT_EQ(uploads_.open_writer(state.id, std::nullopt).error().code(),
            ErrorCode::kBlobUploadUnknown);
  EXPECT_EQ(uploads_.cancel(state.id).error().code(), ErrorCode::kBlobUploadUnknown);
  EXPECT_FALSE(std::filesystem::exists(paths_.upload_dir(state.id)));
}

TEST_F(UploadStoreTest, CancelWaitsForNoWriterButRefusesWhileOneIsActive) {
  auto state = uploads_.create("repo").value();
  {
    auto writer = uploads_.open_writer(state.id, 0);
    ASSERT_TRUE(writer.has_value());
    auto cancelled = uploads_.cancel(state.id);
    ASSERT_FALSE(cancelled.has_value());
    EXPECT_EQ(cancelled.error().code(), ErrorCode::kBlobUploadInvalid);
    ASSERT_TRUE(writer->write("abc").has_value());  // the writer's data is still there
  }
  EXPECT_EQ(uploads_.get(state.id).value().size, 3u);
  ASSERT_TRUE(uploads_.cancel(state.id).has_value());
  EXPECT_FALSE(std::filesystem::exists(paths_.upload_dir(state.id)));
}

TEST_F(UploadStoreTest, UnknownSessionIsBlobUploadUnknown) {
  const auto id = UploadId::generate();
  EXPECT_EQ(uploads_.get(id).error().code(), ErrorCode::kBlobUploadUnknown);
  EXPECT_EQ(uploads_.open_writer(id, 0).error().code(), ErrorCode::kBlobUploadUnknown);
  EXPECT_EQ(uploads_.commit(id, common::crypto::digest_of("")).error().code(),
            ErrorCode::kBlobUploadUnknown);
  EXPECT_EQ(UploadId::parse("../../etc").error().code(), ErrorCode::kBlobUploadUnknown);
}

TEST_F(UploadStoreTest, PurgeIdleRemovesOnlyStaleSessions) {
  const auto now = std::time(nullptr);
  auto stale = uploads_.create("repo").value();
  append(uploads_, stale.id, 0, "old bytes");
  set_mtime(paths_.upload_data(stale.id), now - 2 * 86400);
  auto fresh = uploads_.create("repo").value();
  append(uploads_, fresh.id, 0, "new bytes");
  auto busy = uploads_.create("repo").value();
  std::optional<UploadWriter> writer;
  {
    auto opened = uploads_.open_writer(busy.id, 0);
    ASSERT_TRUE(opened.has_value());
    writer.emplace(std::move(*opened));
  }
  set_mtime(paths_.upload_data(busy.id), now - 2 * 86400);
  // Debris of a crash between publishing a blob and deleting its session: no data file.
  auto debris = uploads_.create("repo").value();
  std::filesystem::remove(paths_.upload_data(debris.id));

  auto purged = uploads_.purge_idle(now - 86400);
  ASSERT_TRUE(purged.has_value());
  EXPECT_EQ(*purged, 2u);
  EXPECT_FALSE(std::filesystem::exists(paths_.upload_dir(stale.id)));
  EXPECT_FALSE(std::filesystem::exists(paths_.upload_dir(debris.id)));
  EXPECT_TRUE(uploads_.get(fresh.id).has_value());
  EXPECT_TRUE(uploads_.get(busy.id).has_value());  // being written: never pulled away
  // Purging did not disturb the sessions it kept.
  ASSERT_TRUE(writer->write("z").has_value());
  writer.reset();
  EXPECT_EQ(uploads_.commit(busy.id, common::crypto::digest_of("z")).value(), 1u);
  EXPECT_EQ(uploads_.commit(fresh.id, common::crypto::digest_of("new bytes")).value(), 9u);
}

}  // namespace
}  // namespace registry::storage
