#include "common/crypto/master_key.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <fstream>

#include "common/crypto/base64.hpp"
#include "testutil/fault_file_system.hpp"
#include "testutil/temp_dir.hpp"

namespace common::crypto {
namespace {

mode_t mode_of(const std::string& path) {
  struct stat info {};
  EXPECT_EQ(::stat(path.c_str(), &info), 0);
  return info.st_mode & 0777;
}

void write_file(const std::string& path, const std::string& text, mode_t mode) {
  std::ofstream(path) << text;
  ASSERT_EQ(::chmod(path.c_str(), mode), 0);
}

// `openssl rand -base64 32` output, and the same bytes in the other accepted spellings.
constexpr std::string_view kBase64 = "q83vEjRWeJCrze8SNFZ4kKvN7xI0VniQq83vEjRWeJA=";

TEST(MasterKeyTest, Base64InEveryAcceptedSpelling) {
  const auto key = MasterKey::from_base64(kBase64).value();
  EXPECT_EQ(key.to_base64(), kBase64);
  for (const std::string& text : {std::string(kBase64) + "\n", "  " + std::string(kBase64),
                                  std::string(kBase64.substr(0, 43)),
                                  std::string("q83vEjRWeJCrze8SNFZ4kKvN7xI0VniQq83vEjRWeJA")}) {
    auto again = MasterKey::from_base64(text);
    ASSERT_TRUE(again) << text;
    EXPECT_EQ(again->id(), key.id());
  }
  const auto url = base64url_encode(std::string(32, '\xff'));
  EXPECT_TRUE(MasterKey::from_base64(url));
}

TEST(MasterKeyTest, RefusesWhatIsNot32Bytes) {
  for (const std::string& bad : {std::string(""), base64_encode(std::string(31, 'a')),
                                 base64_encode(std::string(33, 'a')), std::string("not base64!")}) {
    auto key = MasterKey::from_base64(bad);
    ASSERT_FALSE(key) << bad;
    EXPECT_EQ(key.error().code(), ErrorCode::kInvalidArgument);
  }
  EXPECT_FALSE(MasterKey::from_bytes(std::string(16, 'a')));
}

TEST(MasterKeyTest, IdDependsOnTheKeyAndRevealsNothingOfIt) {
  const auto a = MasterKey::from_bytes(std::string(32, 'a')).value();
  const auto b = MasterKey::from_bytes(std::string(32, 'b')).value();
  EXPECT_EQ(a.id().size(), MasterKey::kIdSize);
  EXPECT_NE(a.id(), b.id());
  EXPECT_EQ(a.id(), MasterKey::from_bytes(std::string(32, 'a')).value().id());
  EXPECT_EQ(a.id_hex().size(), 16u);
  EXPECT_EQ(a.id().find("aaaa"), std::string_view::npos);
  EXPECT_NE(MasterKey::generate().id(), MasterKey::generate().id());
}

TEST(MasterKeyTest, LoadsAnOwnerOnlyFile) {
  testutil::TempDir dir;
  const auto path = dir.str() + "/master.key";
  write_file(path, std::string(kBase64) + "\n", 0600);
  auto key = MasterKey::load_file(path);
  ASSERT_TRUE(key) << key.error().message();
  EXPECT_EQ(key->to_base64(), kBase64);
  write_file(path, std::string(kBase64), 0400);
  EXPECT_TRUE(MasterKey::load_file(path));
}

TEST(MasterKeyTest, RefusesAFileGroupOrOthersMayAccess) {
  testutil::TempDir dir;
  const auto path = dir.str() + "/master.key";
  for (mode_t mode : {0644, 0640, 0604, 0660, 0602, 0610}) {
    write_file(path, std::string(kBase64), mode);
    auto key = MasterKey::load_file(path);
    ASSERT_FALSE(key) << std::oct << mode;
    EXPECT_EQ(key.error().code(), ErrorCode::kPermissionDenied);
    EXPECT_NE(key.error().message().find("chmod 600"), std::string::npos) << key.error().message();
  }
  write_file(path, std::string(kBase64), 0644);
  EXPECT_NE(MasterKey::load_file(path).error().message().find("mode 0644"), std::string::npos);
}

TEST(MasterKeyTest, LoadErrors) {
  testutil::TempDir dir;
  EXPECT_EQ(MasterKey::load_file(dir.str() + "/absent").error().code(), ErrorCode::kNotFound);
  EXPECT_EQ(MasterKey::load_file(dir.str()).error().code(), ErrorCode::kInvalidArgument);
  const auto path = dir.str() + "/master.key";
  write_file(path, "short", 0600);
  auto key = MasterKey::load_file(path);
  EXPECT_EQ(key.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(key.error().detail(), path);
  write_file(path, std::string(5000, 'A'), 0600);
  EXPECT_EQ(MasterKey::load_file(path).error().code(), ErrorCode::kInvalidArgument);
}

TEST(MasterKeyTest, CreateWritesANewOwnerOnlyFileAtomically) {
  testutil::TempDir dir;
  testutil::FaultFileSystem fs;
  const auto path = dir.str() + "/master.key";
  auto created = MasterKey::create_file(path, fs);
  ASSERT_TRUE(created) << created.error().message();
  EXPECT_EQ(mode_of(path), 0600u);
  EXPECT_FALSE(std::filesystem::exists(path + ".tmp"));
  // Temp file, fsync, rename, fsync of the directory.
  const auto journal = fs.journal();
  ASSERT_GE(journal.size(), 3u);
  EXPECT_EQ(journal[0], "sync " + path + ".tmp");
  EXPECT_EQ(journal[1], "rename " + path + ".tmp -> " + path);
  EXPECT_EQ(journal[2], "sync " + dir.str());
  auto loaded = MasterKey::load_file(path);
  ASSERT_TRUE(loaded);
  EXPECT_EQ(loaded->id(), created->id());
  // An existing key is never replaced.
  EXPECT_EQ(MasterKey::create_file(path).error().code(), ErrorCode::kAlreadyExists);
  EXPECT_EQ(MasterKey::load_file(path).value().id(), created->id());
}

TEST(MasterKeyTest, CreateIsOwnerOnlyWhateverTheUmask) {
  testutil::TempDir dir;
  const mode_t old = ::umask(0);
  auto created = MasterKey::create_file(dir.str() + "/master.key");
  ::umask(old);
  ASSERT_TRUE(created);
  EXPECT_EQ(mode_of(dir.str() + "/master.key"), 0600u);
}

TEST(MasterKeyTest, AFailedCreateLeavesNoFile) {
  testutil::TempDir dir;
  testutil::FaultFileSystem fs;
  const auto path = dir.str() + "/master.key";
  fs.arm({.op = "rename", .path_has = "master.key"});
  auto created = MasterKey::create_file(path, fs);
  ASSERT_FALSE(created);
  EXPECT_FALSE(std::filesystem::exists(path));
  EXPECT_FALSE(std::filesystem::exists(path + ".tmp"));
  // A stale temp file from a crash does not block the next try.
  write_file(path + ".tmp", "stale", 0600);
  EXPECT_TRUE(MasterKey::create_file(path, fs));
}

TEST(MasterKeyTest, LoadOrCreateCreatesOnceThenLoads) {
  testutil::TempDir dir;
  const auto path = dir.str() + "/master.key";
  const auto first = MasterKey::load_or_create_file(path).value();
  const auto second = MasterKey::load_or_create_file(path).value();
  EXPECT_EQ(first.id(), second.id());
  ASSERT_EQ(::chmod(path.c_str(), 0644), 0);
  // A readable key is refused, not replaced by a new one.
  EXPECT_EQ(MasterKey::load_or_create_file(path).error().code(), ErrorCode::kPermissionDenied);
}

TEST(MasterKeyTest, MovingLeavesTheSourceWiped) {
  auto key = MasterKey::from_bytes(std::string(32, 'z')).value();
  MasterKey moved = std::move(key);
  EXPECT_EQ(moved.bytes()[0], 'z');
  EXPECT_EQ(key.bytes(), (std::array<unsigned char, 32>{}));  // NOLINT(bugprone-use-after-move)
}

}  // namespace
}  // namespace common::crypto
