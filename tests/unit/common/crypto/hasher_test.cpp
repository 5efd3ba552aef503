#include "common/crypto/hasher.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>

namespace common::crypto {
namespace {

TEST(HasherTest, KnownVectors) {
  EXPECT_EQ(digest_of("").str(),
            "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(digest_of("abc", DigestAlgorithm::kSha512).str(),
            "sha512:"
            "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c"
            "23a3feebbd"
            "454d4423643ce80e2a9ac94fa54ca49f");
}

TEST(HasherTest, IncrementalEqualsWhole) {
  Hasher hasher(DigestAlgorithm::kSha256);
  hasher.update("hello ");
  const auto partial = hasher.digest();
  hasher.update("world");
  EXPECT_EQ(partial, digest_of("hello "));
  EXPECT_EQ(hasher.digest(), digest_of("hello world"));
}

TEST(HasherTest, DigestOfFd) {
  FILE* f = std::tmpfile();
  ASSERT_NE(f, nullptr);
  std::string data(1 << 20, 'x');
  ASSERT_EQ(std::fwrite(data.data(), 1, data.size(), f), data.size());
  std::fflush(f);
  auto d = digest_of_fd(fileno(f), DigestAlgorithm::kSha256);
  ASSERT_TRUE(d.has_value());
  EXPECT_EQ(*d, digest_of(data));
  std::fclose(f);
}

}  // namespace
}  // namespace common::crypto
