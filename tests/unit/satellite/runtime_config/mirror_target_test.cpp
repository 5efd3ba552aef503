#include "satellite/runtime_config/mirror_target.hpp"

#include <gtest/gtest.h>

#include <filesystem>

#include "common/fs/file_ops.hpp"
#include "testutil/temp_dir.hpp"

namespace satellite::runtime_config {
namespace {

class MirrorTargetTest : public ::testing::Test {
 protected:
  std::string path() const { return mirror_target_path(dir_.str()); }
  void write(const std::string& text) const {
    ASSERT_TRUE(common::fs::make_dirs(common::fs::parent_dir(path())));
    ASSERT_TRUE(common::fs::atomic_write_file(path(), text));
  }

  testutil::TempDir dir_;
};

TEST_F(MirrorTargetTest, SavedTargetLoadsBackEqual) {
  MirrorTarget target{{"127.0.0.1:5050", true, "https://harbor.example", "/var/lib/s/ca.pem"},
                      {"containerd", "k3s"}};
  ASSERT_TRUE(save_mirror_target(path(), target));
  auto loaded = load_mirror_target(path());
  ASSERT_TRUE(loaded) << loaded.error().message();
  EXPECT_EQ(*loaded, target);
}

TEST_F(MirrorTargetTest, SavingTheSameTargetLeavesTheFileUntouched) {
  const MirrorTarget target{{"127.0.0.1:5050", false, "harbor.example", ""}, {}};
  ASSERT_TRUE(save_mirror_target(path(), target));
  const auto first = std::filesystem::last_write_time(path());
  std::filesystem::last_write_time(path(), first - std::chrono::hours(1));
  ASSERT_TRUE(save_mirror_target(path(), target));
  EXPECT_EQ(std::filesystem::last_write_time(path()), first - std::chrono::hours(1));

  auto moved = target;
  moved.plan.upstream = "harbor2.example";
  ASSERT_TRUE(save_mirror_target(path(), moved));
  EXPECT_EQ(load_mirror_target(path())->plan.upstream, "harbor2.example");
}

TEST_F(MirrorTargetTest, AbsentFileIsNotFound) {
  auto loaded = load_mirror_target(path());
  ASSERT_FALSE(loaded);
  EXPECT_EQ(loaded.error().code(), common::ErrorCode::kNotFound);
}

TEST_F(MirrorTargetTest, BadFilesAreInvalidAndNameTheFile) {
  for (const std::string text :
       {"not json", "[]", R"({"mirror":"a:1"})", R"({"mirror":"","upstream":"u"})",
        R"({"mirror":"a:1","upstream":"u","runtimes":["rkt"]})",
        R"({"mirror":"a:1","upstream":"u","runtimes":"containerd"})"}) {
    write(text);
    auto loaded = load_mirror_target(path());
    ASSERT_FALSE(loaded) << text;
    EXPECT_EQ(loaded.error().code(), common::ErrorCode::kInvalidArgument) << text;
    EXPECT_NE(loaded.error().message().find(path()), std::string::npos) << text;
  }
}

TEST(LocalAddress, WildcardHostsBecomeLoopback) {
  EXPECT_EQ(local_address("0.0.0.0:5050"), "127.0.0.1:5050");
  EXPECT_EQ(local_address("[::]:5050"), "127.0.0.1:5050");
  EXPECT_EQ(local_address(":5050"), "127.0.0.1:5050");
  EXPECT_EQ(local_address("10.1.2.3:5050"), "10.1.2.3:5050");
  EXPECT_EQ(local_address("[fd00::1]:5050"), "[fd00::1]:5050");
}

}  // namespace
}  // namespace satellite::runtime_config
