#include "common/fs/secret_file.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "testutil/fault_file_system.hpp"
#include "testutil/temp_dir.hpp"

namespace common::fs {
namespace {

TEST(SecretFileTest, WritesOwnerOnlyAndReadsBack) {
  testutil::TempDir dir;
  const auto path = dir.str() + "/s";
  ASSERT_TRUE(write_secret_file(path, std::string("a\0b", 3)));
  struct stat info {};
  ASSERT_EQ(::stat(path.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
  EXPECT_EQ(read_secret_file(path, 100), std::string("a\0b", 3));
  ASSERT_TRUE(write_secret_file(path, "replaced"));
  EXPECT_EQ(read_secret_file(path, 100), "replaced");
}

TEST(SecretFileTest, ReadRefusals) {
  testutil::TempDir dir;
  const auto path = dir.str() + "/s";
  ASSERT_TRUE(write_secret_file(path, "0123456789"));
  EXPECT_EQ(read_secret_file(path, 9).error().code(), ErrorCode::kInvalidArgument);
  EXPECT_TRUE(read_secret_file(path, 10));
  ASSERT_EQ(::chmod(path.c_str(), 0620), 0);
  auto shared = read_secret_file(path, 100);
  ASSERT_FALSE(shared);
  EXPECT_EQ(shared.error().code(), ErrorCode::kPermissionDenied);
  EXPECT_EQ(shared.error().detail(), path);
  EXPECT_EQ(read_secret_file(dir.str() + "/none", 10).error().code(), ErrorCode::kNotFound);
  EXPECT_EQ(read_secret_file(dir.str(), 10).error().code(), ErrorCode::kInvalidArgument);
}

TEST(SecretFileTest, ASymlinkIsJudgedByTheFileItNames) {
  // Kubernetes mounts secrets as symlinks into a ..data directory: the target's mode counts.
  testutil::TempDir dir;
  const auto target = dir.str() + "/target";
  ASSERT_TRUE(write_secret_file(target, "k"));
  std::filesystem::create_symlink(target, dir.path() / "link");
  EXPECT_EQ(read_secret_file(dir.str() + "/link", 10), "k");
  ASSERT_EQ(::chmod(target.c_str(), 0644), 0);
  EXPECT_EQ(read_secret_file(dir.str() + "/link", 10).error().code(), ErrorCode::kPermissionDenied);
}

TEST(SecretFileTest, AFailedWriteKeepsTheOldFileAndRemovesTheTemp) {
  testutil::TempDir dir;
  testutil::FaultFileSystem fs;
  const auto path = dir.str() + "/s";
  ASSERT_TRUE(write_secret_file(path, "old", fs));
  fs.arm({.op = "sync", .path_has = "s.tmp"});
  EXPECT_FALSE(write_secret_file(path, "new", fs));
  EXPECT_EQ(read_secret_file(path, 10), "old");
  EXPECT_FALSE(std::filesystem::exists(path + ".tmp"));
}

}  // namespace
}  // namespace common::fs
