#include "satellite/oci_layout/tar_reader.hpp"

#include <gtest/gtest.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "common/fs/unique_fd.hpp"
#include "testutil/oci_image_gen/tar_writer.hpp"

namespace satellite::oci_layout {
namespace {

using common::ErrorCode;

// An in-memory file holding `bytes`, read from offset 0.
common::fs::UniqueFd file_of(const std::string& bytes) {
  common::fs::UniqueFd fd(::memfd_create("tar", MFD_CLOEXEC));
  EXPECT_EQ(::write(fd.get(), bytes.data(), bytes.size()), static_cast<ssize_t>(bytes.size()));
  ::lseek(fd.get(), 0, SEEK_SET);
  return fd;
}

struct Read {
  std::vector<TarEntry> entries;
  std::vector<std::string> contents;
  std::optional<common::Error> error;
};

Read read_all(const std::string& bytes) {
  auto fd = file_of(bytes);
  TarReader reader(fd.get());
  Read out;
  for (;;) {
    auto entry = reader.next();
    if (!entry) {
      out.error = entry.error();
      return out;
    }
    if (!*entry) return out;
    std::string content;
    char buffer[100];
    for (;;) {
      auto got = reader.read(buffer, sizeof(buffer));
      if (!got) {
        out.error = got.error();
        return out;
      }
      if (*got == 0) break;
      content.append(buffer, *got);
    }
    out.entries.push_back(**entry);
    out.contents.push_back(content);
  }
}

std::string sample_tar() {
  testutil::oci_image_gen::TarWriter writer;
  EXPECT_TRUE(writer.add_directory("blobs/sha256"));
  EXPECT_TRUE(writer.add_file("oci-layout", R"({"imageLayoutVersion":"1.0.0"})"));
  EXPECT_TRUE(writer.add_file("blobs/sha256/abc", std::string(1500, 'x')));
  return writer.finish();
}

// A ustar header block for `name` of `type` and `size`, with a valid checksum.
std::string header(const std::string& name, char type, std::size_t size) {
  std::string block(512, '\0');
  std::memcpy(block.data(), name.data(), std::min<std::size_t>(name.size(), 100));
  std::snprintf(block.data() + 100, 8, "%07o", 0644);
  std::snprintf(block.data() + 124, 12, "%011zo", size);
  block[156] = type;
  std::memcpy(block.data() + 257,
              "ustar\0"
              "00",
              8);
  std::memset(block.data() + 148, ' ', 8);
  unsigned sum = 0;
  for (unsigned char c : block) sum += c;
  std::snprintf(block.data() + 148, 8, "%06o", sum);
  return block;
}

std::string padded(std::string data) {
  data.resize((data.size() + 511) / 512 * 512, '\0');
  return data;
}

TEST(TarReaderTest, ReadsEntriesWithTheirTypesSizesAndBytes) {
  const auto read = read_all(sample_tar());
  ASSERT_FALSE(read.error) << read.error->message();
  ASSERT_EQ(read.entries.size(), 3u);
  EXPECT_EQ(read.entries[0].path, "blobs/sha256/");
  EXPECT_EQ(read.entries[0].type, TarEntry::Type::kDirectory);
  EXPECT_EQ(read.entries[1].path, "oci-layout");
  EXPECT_EQ(read.contents[1], R"({"imageLayoutVersion":"1.0.0"})");
  EXPECT_EQ(read.entries[2].path, "blobs/sha256/abc");
  EXPECT_EQ(read.entries[2].size, 1500u);
  EXPECT_EQ(read.contents[2], std::string(1500, 'x'));
  EXPECT_EQ(read.entries[2].data_offset % 512, 0u);
}

TEST(TarReaderTest, SkipsUnreadDataToTheNextEntry) {
  auto fd = file_of(sample_tar());
  TarReader reader(fd.get());
  std::vector<std::string> paths;
  for (auto entry = reader.next(); entry && *entry; entry = reader.next())
    paths.push_back((*entry)->path);
  EXPECT_EQ(paths, (std::vector<std::string>{"blobs/sha256/", "oci-layout", "blobs/sha256/abc"}));
}

TEST(TarReaderTest, ArchiveCutInsideDataIsTruncated) {
  const auto tar = sample_tar();
  const auto read = read_all(tar.substr(0, 512 * 4 + 700));  // inside the 1500-byte file
  ASSERT_TRUE(read.error);
  EXPECT_EQ(read.error->code(), ErrorCode::kCorruption);
  EXPECT_NE(read.error->message().find("truncated"), std::string::npos);
}

TEST(TarReaderTest, ArchiveCutInsideAHeaderIsTruncated) {
  const auto read = read_all(sample_tar().substr(0, 512 + 100));
  ASSERT_TRUE(read.error);
  EXPECT_EQ(read.error->code(), ErrorCode::kCorruption);
}

TEST(TarReaderTest, BadChecksumIsCorruptionNamingTheOffset) {
  auto tar = sample_tar();
  tar[512 + 10] ^= 0x20;  // a byte of the second header's name
  const auto read = read_all(tar);
  ASSERT_TRUE(read.error);
  EXPECT_EQ(read.error->code(), ErrorCode::kCorruption);
  EXPECT_NE(read.error->message().find("checksum"), std::string::npos);
  EXPECT_EQ(read.error->detail(), "at offset 512");
  EXPECT_EQ(read.entries.size(), 1u);
}

TEST(TarReaderTest, PaxPathAndSizeApplyToTheNextEntry) {
  const std::string long_name = "blobs/sha256/" + std::string(150, 'a');
  const std::string record_body = " path=" + long_name + "\n";
  // "<len> path=…\n" where len counts its own digits.
  std::string record = std::to_string(record_body.size() + 3) + record_body;
  ASSERT_EQ(record.size(), record_body.size() + 3);
  const std::string tar = header("PaxHeaders/x", 'x', record.size()) + padded(record) +
                          header("short-name", '0', 5) + padded("hello") + std::string(1024, '\0');
  const auto read = read_all(tar);
  ASSERT_FALSE(read.error) << read.error->message();
  ASSERT_EQ(read.entries.size(), 1u);
  EXPECT_EQ(read.entries[0].path, long_name);
  EXPECT_EQ(read.contents[0], "hello");
}

TEST(TarReaderTest, GnuLongNameAppliesToTheNextEntry) {
  const std::string long_name = "./blobs/sha256/" + std::string(120, 'b');
  const std::string tar = header("././@LongLink", 'L', long_name.size() + 1) +
                          padded(long_name + '\0') + header("short", '0', 2) + padded("hi") +
                          std::string(1024, '\0');
  const auto read = read_all(tar);
  ASSERT_FALSE(read.error) << read.error->message();
  ASSERT_EQ(read.entries.size(), 1u);
  EXPECT_EQ(read.entries[0].path, long_name.substr(2));  // "./" dropped
}

TEST(TarReaderTest, MalformedPaxRecordIsCorruption) {
  const std::string record = "99 path=x\n";  // claims more bytes than there are
  const std::string tar = header("PaxHeaders/x", 'x', record.size()) + padded(record) +
                          header("a", '0', 0) + std::string(1024, '\0');
  const auto read = read_all(tar);
  ASSERT_TRUE(read.error);
  EXPECT_EQ(read.error->code(), ErrorCode::kCorruption);
}

TEST(TarReaderTest, SizeBeyondTheArchiveIsTruncatedNotAnOverread) {
  const std::string tar = header("huge", '0', 1ull << 30) + padded("abc") + std::string(1024, '\0');
  const auto read = read_all(tar);
  ASSERT_TRUE(read.error);
  EXPECT_EQ(read.error->code(), ErrorCode::kCorruption);
}

TEST(TarReaderTest, EmptyFileIsTruncated) {
  const auto read = read_all("");
  ASSERT_TRUE(read.error);
  EXPECT_EQ(read.error->code(), ErrorCode::kCorruption);
}

TEST(TarReaderTest, RandomDamageIsAnErrorOrEntriesNeverACrash) {
  const auto tar = sample_tar();
  std::mt19937 random(7);
  int errors = 0;
  for (int round = 0; round < 2000; ++round) {
    auto damaged = tar;
    for (int i = 0; i < 4; ++i) damaged[random() % damaged.size()] = static_cast<char>(random());
    if (random() % 2) damaged.resize(random() % damaged.size());
    const auto read = read_all(damaged);
    if (read.error) {
      ++errors;
      EXPECT_EQ(read.error->code(), ErrorCode::kCorruption);
    }
    for (const auto& entry : read.entries) EXPECT_LE(entry.size, damaged.size());
  }
  EXPECT_GT(errors, 0);
}

}  // namespace
}  // namespace satellite::oci_layout
