#include "common/fs/file_ops.hpp"

#include <gtest/gtest.h>

#include <filesystem>

#include "common/fs/dir_lock.hpp"
#include "common/fs/posix_error.hpp"

namespace common::fs {
namespace {

class FileOpsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("file_ops_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::filesystem::path dir_;
};

TEST_F(FileOpsTest, MakeDirsAndAtomicWrite) {
  const auto nested = (dir_ / "a/b/c").string();
  ASSERT_TRUE(make_dirs(nested).has_value());
  const auto file = nested + "/x";
  ASSERT_TRUE(atomic_write_file(file, "one").has_value());
  ASSERT_TRUE(atomic_write_file(file, "two").has_value());
  EXPECT_EQ(read_file(file).value(), "two");
  EXPECT_FALSE(std::filesystem::exists(file + ".tmp"));
}

TEST_F(FileOpsTest, MissingFileIsNotFound) {
  auto r = read_file((dir_ / "missing").string());
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code(), ErrorCode::kNotFound);
}

TEST_F(FileOpsTest, DiskFullMapsToResourceExhausted) {
  EXPECT_EQ(posix_error("write", "/x", ENOSPC).code(), ErrorCode::kResourceExhausted);
  EXPECT_EQ(posix_error("write", "/x", EDQUOT).code(), ErrorCode::kResourceExhausted);
}

TEST_F(FileOpsTest, DirLockIsExclusive) {
  ASSERT_TRUE(make_dirs(dir_.string()).has_value());
  {
    auto first = DirLock::acquire(dir_.string());
    ASSERT_TRUE(first.has_value());
    // flock locks belong to the open file description, so a second open conflicts too.
    auto second = DirLock::acquire(dir_.string());
    ASSERT_FALSE(second.has_value());
    EXPECT_EQ(second.error().code(), ErrorCode::kConflict);
  }
  EXPECT_TRUE(DirLock::acquire(dir_.string()).has_value());
}

}  // namespace
}  // namespace common::fs
