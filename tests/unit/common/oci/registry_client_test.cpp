// RegistryClient against real registries: Debian's docker-registry on a loopback port,
// anonymous, behind htpasswd basic auth, and behind the token flow (token_issuer.py); and
// Python's http.server standing in for a server that is not a registry or answers garbage.
#include "common/oci/registry_client.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include "common/crypto/hasher.hpp"
#include "common/oci/media_types.hpp"
#include "testutil/docker_registry.hpp"
#include "testutil/fake_clock.hpp"
#include "testutil/static_http_server.hpp"
#include "testutil/temp_dir.hpp"
#include "testutil/test_image.hpp"
#include "testutil/text.hpp"
#include "testutil/token_issuer.hpp"

namespace common::oci {
namespace {

using testutil::count_of;
using testutil::make_test_image;
using testutil::test_blob;
using testutil::TestImage;

class RegistryClientTest : public ::testing::Test {
 protected:
  std::unique_ptr<RegistryClient> client_for(RegistryEndpoint endpoint, std::size_t page_size = 2) {
    RegistryClientOptions options;
    options.label = "registry \"central\"";
    options.page_size = page_size;
    auto client = RegistryClient::create(std::move(endpoint), std::move(options), clock_);
    EXPECT_TRUE(client.has_value()) << client.error().message();
    return std::move(*client);
  }
  // Pushes `image` (blobs, then the manifest under `tag`) through `client`.
  void push(RegistryClient& client, const std::string& repository, const TestImage& image,
            const std::string& tag) {
    std::vector<std::string> blobs = image.layers;
    blobs.push_back(image.config);
    for (const auto& blob : blobs) {
      ASSERT_TRUE(client.push_blob(repository, crypto::digest_of(blob), blob).has_value());
    }
    auto digest = client.push_manifest(repository, tag, media_type::kOciManifest, image.manifest);
    ASSERT_TRUE(digest.has_value()) << digest.error().message();
    EXPECT_EQ(*digest, image.digest());
  }

  testutil::TempDir dir_;
  testutil::FakeClock clock_;
};

TEST_F(RegistryClientTest, PushesThenReadsBackEverythingAnonymously) {
  testutil::DockerRegistry registry(dir_.path() / "registry");
  auto client = client_for({registry.url()});
  ASSERT_TRUE(client->check().has_value());
  const auto image = make_test_image("app", {test_blob("layer", 3000)});
  for (const auto* repository : {"library/app", "library/db", "tools/a", "tools/b", "zz"}) {
    push(*client, repository, image, "v1");
  }
  for (const auto* tag : {"v2", "v3", "latest"}) push(*client, "library/app", image, tag);

  // Pages of 2 follow the registry's Link headers to the end.
  auto repositories = client->list_repositories();
  ASSERT_TRUE(repositories.has_value()) << repositories.error().message();
  EXPECT_EQ(*repositories,
            (std::vector<std::string>{"library/app", "library/db", "tools/a", "tools/b", "zz"}));
  EXPECT_GE(count_of(registry.log(), "/v2/_catalog"), 3U);
  auto tags = client->list_tags("library/app");
  ASSERT_TRUE(tags.has_value()) << tags.error().message();
  auto sorted = *tags;
  std::sort(sorted.begin(), sorted.end());
  EXPECT_EQ(sorted, (std::vector<std::string>{"latest", "v1", "v2", "v3"}));

  auto head = client->head_manifest("library/app", "v2");
  ASSERT_TRUE(head.has_value()) << head.error().message();
  EXPECT_EQ(head->digest, image.digest());
  EXPECT_EQ(head->media_type, media_type::kOciManifest);
  EXPECT_EQ(head->size, image.manifest.size());
  auto by_tag = client->get_manifest("library/app", "latest");
  ASSERT_TRUE(by_tag.has_value()) << by_tag.error().message();
  EXPECT_EQ(by_tag->content, image.manifest);
  EXPECT_EQ(by_tag->digest, image.digest());
  auto config = client->get_blob_content("tools/a", crypto::digest_of(image.config), 1 << 20);
  ASSERT_TRUE(config.has_value()) << config.error().message();
  EXPECT_EQ(*config, image.config);
  auto too_small = client->get_blob_content("tools/a", crypto::digest_of(image.layers[0]), 100);
  ASSERT_FALSE(too_small.has_value());
  EXPECT_EQ(too_small.error().code(), ErrorCode::kTooLarge);
  EXPECT_EQ(client->has_blob("zz", crypto::digest_of(image.config)), true);
  EXPECT_EQ(client->has_blob("zz", crypto::digest_of("absent")), false);
}

TEST_F(RegistryClientTest, ABlobAlreadyHeldIsNotUploadedAgain) {
  testutil::DockerRegistry registry(dir_.path() / "registry");
  auto client = client_for({registry.url()});
  const std::string blob = test_blob("once", 500);
  ASSERT_TRUE(client->push_blob("app", crypto::digest_of(blob), blob).has_value());
  ASSERT_TRUE(client->push_blob("app", crypto::digest_of(blob), blob).has_value());
  EXPECT_EQ(count_of(registry.log(), "POST /v2/app/blobs/uploads/"), 1U);
  auto wrong = client->push_blob("app", crypto::digest_of("other"), blob);
  ASSERT_FALSE(wrong.has_value());
  EXPECT_EQ(wrong.error().code(), ErrorCode::kInvalidArgument);
}

TEST_F(RegistryClientTest, ErrorsNameWhatIsMissingAndWhere) {
  testutil::DockerRegistry registry(dir_.path() / "registry");
  auto client = client_for({registry.url()});
  const auto missing = crypto::digest_of("nothing");
  auto manifest = client->get_manifest("library/app", missing.str());
  ASSERT_FALSE(manifest.has_value());
  EXPECT_EQ(manifest.error().code(), ErrorCode::kNotFound);
  EXPECT_EQ(manifest.error().message(),
            "manifest " + missing.str() + " not found in library/app on registry \"central\"");
  auto tags = client->list_tags("no/such");
  ASSERT_FALSE(tags.has_value());
  EXPECT_EQ(tags.error().code(), ErrorCode::kNotFound);
}

TEST_F(RegistryClientTest, DeletesAManifest) {
  testutil::DockerRegistry registry(dir_.path() / "registry");
  auto client = client_for({registry.url()});
  const auto image = make_test_image("gone", {test_blob("gone", 100)});
  push(*client, "app", image, "v1");
  ASSERT_TRUE(client->delete_manifest("app", image.digest()).has_value());
  auto after = client->get_manifest("app", image.digest().str());
  ASSERT_FALSE(after.has_value());
  EXPECT_EQ(after.error().code(), ErrorCode::kNotFound);
}

TEST_F(RegistryClientTest, ReferrersComeFromTheFallbackTagOnARegistryWithoutTheApi) {
  testutil::DockerRegistry registry(dir_.path() / "registry");
  auto client = client_for({registry.url()});
  const auto image = make_test_image("subject", {test_blob("subject", 100)});
  push(*client, "app", image, "v1");
  auto none = client->referrers("app", image.digest());
  ASSERT_TRUE(none.has_value()) << none.error().message();
  EXPECT_TRUE(none->empty());

  const auto signature = make_test_image("signature", {test_blob("sig", 50)});
  push(*client, "app", signature, "sig");
  const std::string index =
      R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[)" +
      testutil::test_descriptor(media_type::kOciManifest, signature.manifest,
                                R"(,"artifactType":"application/example")") +
      "]}";
  ASSERT_TRUE(
      client->push_manifest("app", "sha256-" + image.digest().hex(), media_type::kOciIndex, index)
          .has_value());
  auto found = client->referrers("app", image.digest());
  ASSERT_TRUE(found.has_value()) << found.error().message();
  ASSERT_EQ(found->size(), 1U);
  EXPECT_EQ((*found)[0].digest, signature.digest());
  EXPECT_EQ((*found)[0].artifact_type, "application/example");
}

TEST_F(RegistryClientTest, BasicAuthChecksTheCredentials) {
  testutil::DockerRegistry registry(dir_.path() / "registry",
                                    testutil::DockerRegistry::Credentials{"robot", "s3cret"});
  auto good = client_for({registry.url(), "robot", "s3cret"});
  ASSERT_TRUE(good->check().has_value());
  push(*good, "app", make_test_image("basic", {test_blob("basic", 10)}), "v1");
  auto wrong = client_for({registry.url(), "robot", "wrong"})->check();
  ASSERT_FALSE(wrong.has_value());
  EXPECT_EQ(wrong.error().code(), ErrorCode::kPermissionDenied);
  EXPECT_EQ(wrong.error().message().find("s3cret"), std::string::npos);
  EXPECT_EQ(wrong.error().message().find("wrong"), std::string::npos);
}

TEST_F(RegistryClientTest, TheTokenFlowServesPullPushAndTheCatalogWithCachedTokens) {
  testutil::DockerRegistry registry(dir_.path() / "registry");
  testutil::TokenIssuer issuer(dir_.path() / "issuer", "robot", "s3cret");
  registry.restart(issuer.registry_auth());
  auto client = client_for({registry.url(), "robot", "s3cret"}, 100);
  ASSERT_TRUE(client->check().has_value());
  const auto image = make_test_image("token", {test_blob("token", 100)});
  push(*client, "library/app", image, "v1");
  push(*client, "library/app", image, "v2");
  auto repositories = client->list_repositories();
  ASSERT_TRUE(repositories.has_value()) << repositories.error().message();
  EXPECT_EQ(*repositories, std::vector<std::string>{"library/app"});
  auto manifest = client->get_manifest("library/app", "v1");
  ASSERT_TRUE(manifest.has_value()) << manifest.error().message();
  EXPECT_EQ(manifest->digest, image.digest());
  auto again = client->get_manifest("library/app", "v2");
  ASSERT_TRUE(again.has_value()) << again.error().message();
  // One token per scope: /v2/ itself, push, catalog, pull; each reused while it lasts.
  EXPECT_EQ(count_of(issuer.log(), "GET /token?"), 4U) << issuer.log();

  auto wrong = client_for({registry.url(), "robot", "wrong"})->list_tags("library/app");
  ASSERT_FALSE(wrong.has_value());
  EXPECT_EQ(wrong.error().code(), ErrorCode::kPermissionDenied);
  EXPECT_NE(wrong.error().message().find("token service of registry \"central\" refused"),
            std::string::npos)
      << wrong.error().message();
}

TEST_F(RegistryClientTest, AServerThatIsNotARegistryOrAnswersGarbageIsAClearError) {
  testutil::StaticHttpServer server(dir_.path() / "static");
  auto client = client_for({server.url()});
  auto check = client->check();
  ASSERT_FALSE(check.has_value());
  EXPECT_EQ(check.error().code(), ErrorCode::kUnavailable);
  EXPECT_NE(check.error().message().find("does not answer as an OCI registry"), std::string::npos)
      << check.error().message();
  server.put("v2/app/tags/list", "<html>garbage</html>");
  auto tags = client->list_tags("app");
  ASSERT_FALSE(tags.has_value());
  EXPECT_EQ(tags.error().code(), ErrorCode::kUnavailable);
  server.put("v2/_catalog", R"({"repositories":"not a list"})");
  auto catalog = client->list_repositories();
  ASSERT_FALSE(catalog.has_value());
  EXPECT_EQ(catalog.error().code(), ErrorCode::kUnavailable);
  // A manifest whose bytes are not those of the digest asked for is refused.
  const auto claimed = crypto::digest_of("the real manifest");
  server.put("v2/app/manifests/" + claimed.str(), "{\"tampered\":true}");
  auto manifest = client->get_manifest("app", claimed.str());
  ASSERT_FALSE(manifest.has_value());
  EXPECT_EQ(manifest.error().code(), ErrorCode::kDigestInvalid);
}

TEST_F(RegistryClientTest, AnUnreachableRegistryIsUnavailable) {
  auto client = client_for({"http://127.0.0.1:" + std::to_string(testutil::free_loopback_port())});
  auto check = client->check();
  ASSERT_FALSE(check.has_value());
  EXPECT_EQ(check.error().code(), ErrorCode::kUnavailable);
  auto bad = RegistryClient::create({"ftp://x"}, {}, clock_);
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().code(), ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace common::oci
