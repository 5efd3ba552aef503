#include "satellite/replication/index_filter.hpp"

#include <gtest/gtest.h>

#include "common/crypto/hasher.hpp"
#include "common/oci/manifest.hpp"
#include "common/oci/media_types.hpp"
#include "testutil/test_image.hpp"

namespace satellite::replication {
namespace {

namespace media_type = common::oci::media_type;

std::string index_with_variants() {
  const auto entry = [](const char* digest_seed, const char* arch, const char* variant) {
    std::string platform = std::string(R"(,"platform":{"os":"linux","architecture":")") + arch +
                           "\"" + (variant ? std::string(R"(,"variant":")") + variant + "\"" : "") +
                           "}";
    return testutil::test_descriptor(media_type::kOciManifest, digest_seed, platform);
  };
  return std::string(R"({"schemaVersion":2,"mediaType":")") + std::string(media_type::kOciIndex) +
         R"(","manifests":[)" + entry("a", "amd64", nullptr) + "," + entry("b", "arm64", "v8") +
         "," + entry("c", "arm", "v7") + "," + entry("d", "arm", "v6") +
         R"(],"annotations":{"org.opencontainers.image.ref.name":"1.0"}})";
}

std::vector<common::Digest> kept(const std::string& index) {
  auto parsed = common::oci::parse_manifest(index, media_type::kOciIndex);
  EXPECT_TRUE(parsed.has_value()) << index;
  std::vector<common::Digest> digests;
  if (parsed) {
    for (const auto& child : parsed->manifests) digests.push_back(child.digest);
  }
  return digests;
}

TEST(IndexFilterTest, KeepsOnlyTheMatchingEntriesAndEverythingElse) {
  auto filtered = filter_index(index_with_variants(), {"linux/arm64"});
  ASSERT_TRUE(filtered.has_value()) << filtered.error().message();
  EXPECT_EQ(kept(*filtered), std::vector{common::crypto::digest_of("b")});
  EXPECT_NE(filtered->find(R"("org.opencontainers.image.ref.name":"1.0")"), std::string::npos);
  EXPECT_NE(filtered->find(media_type::kOciIndex), std::string::npos);
}

TEST(IndexFilterTest, AVariantNarrowsAndNoVariantMatchesEvery) {
  auto v7 = filter_index(index_with_variants(), {"linux/arm/v7"});
  ASSERT_TRUE(v7.has_value());
  EXPECT_EQ(kept(*v7), std::vector{common::crypto::digest_of("c")});
  auto arm = filter_index(index_with_variants(), {"linux/arm", "linux/amd64"});
  ASSERT_TRUE(arm.has_value());
  EXPECT_EQ(kept(*arm), (std::vector{common::crypto::digest_of("a"), common::crypto::digest_of("c"),
                                     common::crypto::digest_of("d")}));
}

TEST(IndexFilterTest, AnIndexWhoseEntriesAllMatchIsUnchanged) {
  const auto index = index_with_variants();
  auto all = filter_index(index, {"linux/amd64", "linux/arm64", "linux/arm"});
  ASSERT_TRUE(all.has_value());
  EXPECT_EQ(*all, index);
}

TEST(IndexFilterTest, RefusesBadPlatformsBadIndexesAndNoMatch) {
  EXPECT_EQ(filter_index(index_with_variants(), {"linux"}).error().code(),
            common::ErrorCode::kInvalidArgument);
  EXPECT_EQ(filter_index(index_with_variants(), {"linux//v7"}).error().code(),
            common::ErrorCode::kInvalidArgument);
  EXPECT_EQ(filter_index(R"({"schemaVersion":2})", {"linux/amd64"}).error().code(),
            common::ErrorCode::kManifestInvalid);
  auto none = filter_index(index_with_variants(), {"windows/amd64"});
  ASSERT_FALSE(none.has_value());
  EXPECT_EQ(none.error().code(), common::ErrorCode::kNotFound);
  EXPECT_NE(none.error().message().find("windows/amd64"), std::string::npos);
}

}  // namespace
}  // namespace satellite::replication
