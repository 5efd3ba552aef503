// OciRegistryAdapter against Debian's docker-registry: repositories sorted, tags of one
// digest merged into one artifact, no push times or labels, unknown repositories.
#include "groundcontrol/registry/oci_registry_adapter.hpp"

#include <gtest/gtest.h>

#include "common/crypto/hasher.hpp"
#include "common/oci/media_types.hpp"
#include "testutil/docker_registry.hpp"
#include "testutil/fake_clock.hpp"
#include "testutil/temp_dir.hpp"
#include "testutil/test_image.hpp"

namespace groundcontrol::registry {
namespace {

using common::ErrorCode;

class OciRegistryAdapterTest : public ::testing::Test {
 protected:
  void push(const std::string& repository, const testutil::TestImage& image,
            const std::string& tag) {
    std::vector<std::string> blobs = image.layers;
    blobs.push_back(image.config);
    for (const auto& blob : blobs) registry_.push_blob(repository, blob);
    registry_.push_manifest(repository, tag, image.manifest,
                            std::string(common::oci::media_type::kOciManifest));
  }
  std::unique_ptr<OciRegistryAdapter> adapter() {
    common::oci::RegistryClientOptions options;
    options.page_size = 2;
    auto client = common::oci::RegistryClient::create({registry_.url()}, options, clock_);
    EXPECT_TRUE(client.has_value()) << client.error().message();
    return std::make_unique<OciRegistryAdapter>(std::move(*client));
  }

  testutil::TempDir dir_;
  testutil::FakeClock clock_;
  testutil::DockerRegistry registry_{dir_.path() / "registry"};
};

TEST_F(OciRegistryAdapterTest, RepositoriesSortedAndTagsOfOneDigestMerged) {
  const auto one = testutil::make_test_image("one");
  const auto two = testutil::make_test_image("two");
  for (const auto* repository : {"zeta/app", "alpha/app", "mid", "alpha/db"}) {
    push(repository, one, "v1");
  }
  push("alpha/app", one, "latest");
  push("alpha/app", two, "v2");

  auto oci = adapter();
  ASSERT_TRUE(oci->test().has_value());
  auto repositories = oci->repositories();
  ASSERT_TRUE(repositories.has_value()) << repositories.error().message();
  EXPECT_EQ(*repositories, (std::vector<std::string>{"alpha/app", "alpha/db", "mid", "zeta/app"}));

  auto artifacts = oci->artifacts("alpha/app");
  ASSERT_TRUE(artifacts.has_value()) << artifacts.error().message();
  ASSERT_EQ(artifacts->size(), 2U);
  const auto first_is_one = (*artifacts)[0].digest == one.digest();
  const auto& of_one = (*artifacts)[first_is_one ? 0 : 1];
  const auto& of_two = (*artifacts)[first_is_one ? 1 : 0];
  EXPECT_LT((*artifacts)[0].digest, (*artifacts)[1].digest);  // sorted by digest
  EXPECT_EQ(of_one.digest, one.digest());
  EXPECT_EQ(of_one.tags, (std::vector<std::string>{"latest", "v1"}));
  EXPECT_EQ(of_one.media_type, common::oci::media_type::kOciManifest);
  EXPECT_FALSE(of_one.push_time.has_value());  // a plain registry does not say
  EXPECT_TRUE(of_one.labels.empty());
  EXPECT_EQ(of_two.digest, two.digest());
  EXPECT_EQ(of_two.tags, (std::vector<std::string>{"v2"}));
}

TEST_F(OciRegistryAdapterTest, UnknownRepositoryIsNotFound) {
  auto artifacts = adapter()->artifacts("nothing/here");
  ASSERT_FALSE(artifacts.has_value());
  EXPECT_EQ(artifacts.error().code(), ErrorCode::kNotFound) << artifacts.error().message();
}

}  // namespace
}  // namespace groundcontrol::registry
