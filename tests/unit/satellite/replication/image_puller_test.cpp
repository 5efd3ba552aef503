// ImagePuller against a real upstream: Debian's docker-registry on a loopback port, seeded
// through HttpClient, replicated into a RegistryService on a temp dir.
#include "satellite/replication/image_puller.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "common/crypto/cosign_key.hpp"
#include "common/crypto/cosign_signature.hpp"
#include "common/crypto/hasher.hpp"
#include "common/oci/manifest.hpp"
#include "common/oci/media_types.hpp"
#include "testutil/docker_registry.hpp"
#include "testutil/fake_clock.hpp"
#include "testutil/static_http_server.hpp"
#include "testutil/temp_dir.hpp"
#include "testutil/test_image.hpp"
#include "testutil/text.hpp"
#include "testutil/token_issuer.hpp"

namespace satellite::replication {
namespace {

using common::ErrorCode;
using testutil::count_of;
using testutil::make_test_image;
using testutil::test_blob;
using testutil::TestImage;
namespace media_type = common::oci::media_type;

class ImagePullerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    upstream_ = std::make_unique<testutil::DockerRegistry>(dir_.path() / "upstream", auth_);
    open_registry();
  }
  void open_registry() {
    registry_.reset();
    registry::RegistryConfig config;
    config.data_dir = (dir_.path() / "local").string();
    auto opened = registry::RegistryService::open(config, common::log::null_logger());
    ASSERT_TRUE(opened.has_value()) << opened.error().message();
    registry_ = std::move(*opened);
  }
  // A puller on the test's state dir for `url` (default: the docker-registry).
  std::unique_ptr<ImagePuller> make_puller(UpstreamConfig upstream = {}, std::string url = {}) {
    PullerOptions options;
    options.state_dir = dir_.path() / "state";
    options.clock = puller_clock_;
    auto puller = ImagePuller::create(*registry_, options, common::log::null_logger());
    EXPECT_TRUE(puller.has_value());
    upstream.url = url.empty() ? upstream_->url() : url;
    (*puller)->set_upstream(upstream);
    return std::move(*puller);
  }
  void seed(const std::string& repository, const TestImage& image) {
    upstream_->push_blob(repository, image.config);
    for (const auto& layer : image.layers) upstream_->push_blob(repository, layer);
    upstream_->push_manifest(repository, image.digest().str(), image.manifest,
                             std::string(media_type::kOciManifest));
  }
  // Every blob of `image` is held by `repository` and hashes to its digest.
  void expect_held(const std::string& repository, const TestImage& image) {
    auto manifest = registry_->get_manifest(repository, image.digest().str());
    ASSERT_TRUE(manifest.has_value()) << manifest.error().message();
    EXPECT_EQ((*manifest)->content, image.manifest);
    std::vector<std::string> blobs = image.layers;
    blobs.push_back(image.config);
    for (const auto& content : blobs) {
      const auto digest = common::crypto::digest_of(content);
      auto blob = registry_->open_blob(repository, digest);
      ASSERT_TRUE(blob.has_value()) << digest.str();
      auto actual = common::crypto::digest_of_fd(blob->fd.get(), digest.algorithm());
      ASSERT_TRUE(actual.has_value());
      EXPECT_EQ(*actual, digest);
    }
  }
  // Writes the image where a registry would serve it by digest.
  static void publish(const testutil::StaticHttpServer& server, const std::string& repository,
                      const TestImage& image) {
    const std::string base = "v2/" + repository;
    server.put(base + "/manifests/" + image.digest().str(), image.manifest);
    server.put(base + "/blobs/" + common::crypto::digest_of(image.config).str(), image.config);
    for (const auto& layer : image.layers) {
      server.put(base + "/blobs/" + common::crypto::digest_of(layer).str(), layer);
    }
  }
  // Pulls `job` at a limited rate and stops it once more than half of `layer` has arrived:
  // nothing is visible yet, the partial upload stays for a resume.
  void stop_midway(const PullJob& job, const std::string& layer) {
    auto puller = make_puller();
    puller->set_bandwidth_limit(8 * 1024 * 1024);
    PullProgress progress;
    std::stop_source stop;
    std::jthread watcher([&](std::stop_token done) {
      while (!done.stop_requested() && progress.bytes_done.load() <= layer.size() / 2) {
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
      }
      stop.request_stop();
    });
    auto pulled = puller->pull(job, progress, stop.get_token());
    ASSERT_FALSE(pulled.has_value());
    EXPECT_EQ(pulled.error().code(), ErrorCode::kUnavailable);
    EXPECT_EQ(pulled.error().message(), "pull stopped");
    EXPECT_FALSE(registry_->get_manifest(job.repository, job.digest.str()).has_value());
    EXPECT_FALSE(
        registry_->stat_blob(job.repository, common::crypto::digest_of(layer)).has_value());
  }
  static std::uint64_t bytes_of(const TestImage& image) {
    std::uint64_t total = image.config.size() + image.manifest.size();
    for (const auto& layer : image.layers) total += layer.size();
    return total;
  }

  testutil::FakeClock clock_;
  // The pullers' clock: real (bandwidth limits wait in real time) unless a test moves time.
  const common::Clock* puller_clock_ = &registry::system_clock();
  testutil::TempDir dir_;
  std::optional<testutil::DockerRegistry::Credentials> auth_;
  std::unique_ptr<testutil::DockerRegistry> upstream_;
  std::unique_ptr<registry::RegistryService> registry_;
};

TEST_F(ImagePullerTest, PullsAnImageByDigestAndFetchesOnlyNewBlobsOfTheNext) {
  const auto shared = test_blob("shared", 300'000);
  const auto first = make_test_image("first", {shared, test_blob("a", 100'000)});
  const auto second = make_test_image("second", {shared, test_blob("b", 50'000)});
  seed("library/app", first);
  seed("library/app", second);
  auto puller = make_puller();

  PullProgress progress;
  auto pulled = puller->pull({"library/app", first.digest(), {}}, progress, {});
  ASSERT_TRUE(pulled.has_value()) << pulled.error().message();
  EXPECT_EQ(pulled->stored, first.digest());
  EXPECT_FALSE(pulled->platforms_filtered);
  EXPECT_EQ(pulled->bytes_fetched, bytes_of(first));
  EXPECT_EQ(progress.bytes_done.load(), progress.bytes_total.load());
  expect_held("library/app", first);

  PullProgress next;
  pulled = puller->pull({"library/app", second.digest(), {}}, next, {});
  ASSERT_TRUE(pulled.has_value()) << pulled.error().message();
  EXPECT_EQ(pulled->bytes_fetched, bytes_of(second) - shared.size());
  expect_held("library/app", second);
  EXPECT_EQ(puller->bytes_transferred(), bytes_of(first) + bytes_of(second) - shared.size());

  // Held already: nothing more from upstream.
  pulled = puller->pull({"library/app", second.digest(), {}}, next, {});
  ASSERT_TRUE(pulled.has_value());
  EXPECT_EQ(pulled->bytes_fetched, 0u);
}

TEST_F(ImagePullerTest, ConcurrentPullsFetchASharedLayerOnce) {
  const auto shared = test_blob("shared-layer", 2'000'000);
  const auto one = make_test_image("one", {shared, test_blob("one", 10'000)});
  const auto two = make_test_image("two", {shared, test_blob("two", 10'000)});
  seed("team/one", one);
  seed("team/two", two);
  auto puller = make_puller();
  puller->set_bandwidth_limit(8 * 1024 * 1024);  // both pulls overlap for ~0.25 s

  std::uint64_t fetched_one = 0, fetched_two = 0;
  std::thread other([&] {
    PullProgress progress;
    auto pulled = puller->pull({"team/two", two.digest(), {}}, progress, {});
    ASSERT_TRUE(pulled.has_value()) << pulled.error().message();
    fetched_two = pulled->bytes_fetched;
  });
  PullProgress progress;
  auto pulled = puller->pull({"team/one", one.digest(), {}}, progress, {});
  other.join();
  ASSERT_TRUE(pulled.has_value()) << pulled.error().message();
  fetched_one = pulled->bytes_fetched;

  expect_held("team/one", one);
  expect_held("team/two", two);
  EXPECT_EQ(fetched_one + fetched_two, bytes_of(one) + bytes_of(two) - shared.size());
  const auto shared_digest = common::crypto::digest_of(shared).str();
  EXPECT_EQ(count_of(upstream_->log(), "/blobs/" + shared_digest + " HTTP"), 1u)
      << upstream_->log();
}

TEST_F(ImagePullerTest, KeepsAnIndexWholeOrFiltersItToThePlatformsAsked) {
  const auto amd64 = make_test_image("multi", {test_blob("amd64", 20'000)}, "linux", "amd64");
  const auto arm64 = make_test_image("multi", {test_blob("arm64", 20'000)}, "linux", "arm64");
  seed("multi/arch", amd64);
  seed("multi/arch", arm64);
  const auto index = testutil::make_test_index({amd64, arm64});
  const auto index_digest = common::crypto::digest_of(index);
  upstream_->push_manifest("multi/arch", index_digest.str(), index,
                           std::string(media_type::kOciIndex));

  auto puller = make_puller();
  PullProgress progress;
  auto filtered = puller->pull({"multi/arch", index_digest, {"linux/arm64"}}, progress, {});
  ASSERT_TRUE(filtered.has_value()) << filtered.error().message();
  EXPECT_TRUE(filtered->platforms_filtered);
  EXPECT_NE(filtered->stored, index_digest);
  auto stored = registry_->get_manifest("multi/arch", filtered->stored.str());
  ASSERT_TRUE(stored.has_value());
  EXPECT_EQ((*stored)->media_type, media_type::kOciIndex);
  EXPECT_EQ(common::crypto::digest_of((*stored)->content), filtered->stored);
  auto parsed = common::oci::parse_manifest((*stored)->content, (*stored)->media_type);
  ASSERT_TRUE(parsed.has_value());
  ASSERT_EQ(parsed->manifests.size(), 1u);
  EXPECT_EQ(parsed->manifests[0].digest, arm64.digest());
  expect_held("multi/arch", arm64);
  EXPECT_FALSE(registry_->get_manifest("multi/arch", amd64.digest().str()).has_value());
  EXPECT_FALSE(registry_->get_manifest("multi/arch", index_digest.str()).has_value());

  auto whole = puller->pull({"multi/arch", index_digest, {}}, progress, {});
  ASSERT_TRUE(whole.has_value()) << whole.error().message();
  EXPECT_EQ(whole->stored, index_digest);
  EXPECT_FALSE(whole->platforms_filtered);
  stored = registry_->get_manifest("multi/arch", index_digest.str());
  ASSERT_TRUE(stored.has_value());
  EXPECT_EQ((*stored)->content, index);
  expect_held("multi/arch", amd64);
  expect_held("multi/arch", arm64);

  auto none = puller->pull({"multi/arch", index_digest, {"linux/s390x"}}, progress, {});
  ASSERT_FALSE(none.has_value());
  EXPECT_EQ(none.error().code(), ErrorCode::kNotFound);
  EXPECT_NE(none.error().message().find("linux/s390x"), std::string::npos);
}

TEST_F(ImagePullerTest, AMissingDigestIsNotFoundAndNamesIt) {
  const auto image = make_test_image("present", {test_blob("present", 1000)});
  seed("library/app", image);
  const auto missing = common::crypto::digest_of("no such manifest");
  auto puller = make_puller();
  PullProgress progress;
  auto pulled = puller->pull({"library/app", missing, {}}, progress, {});
  ASSERT_FALSE(pulled.has_value());
  EXPECT_EQ(pulled.error().code(), ErrorCode::kNotFound);
  EXPECT_EQ(pulled.error().message(),
            "manifest " + missing.str() + " not found in library/app on the upstream");
}

TEST_F(ImagePullerTest, ABandwidthLimitSlowsTheTransfer) {
  const auto image = make_test_image("big", {test_blob("big", 2 * 1024 * 1024)});
  seed("library/big", image);
  auto puller = make_puller();
  puller->set_bandwidth_limit(4 * 1024 * 1024);
  PullProgress progress;
  const auto started = std::chrono::steady_clock::now();
  auto pulled = puller->pull({"library/big", image.digest(), {}}, progress, {});
  const auto took = std::chrono::steady_clock::now() - started;
  ASSERT_TRUE(pulled.has_value()) << pulled.error().message();
  EXPECT_GE(took, std::chrono::milliseconds(400));
  expect_held("library/big", image);
}

TEST_F(ImagePullerTest, AStoppedPullResumesWithARangeAfterARestart) {
  const auto layer = test_blob("resumable", 4 * 1024 * 1024);
  const auto image = make_test_image("resumable", {layer});
  seed("library/resume", image);
  stop_midway({"library/resume", image.digest(), {}}, layer);
  open_registry();  // the process restarts: upload sessions and records survive

  auto puller = make_puller();
  PullProgress progress;
  auto pulled = puller->pull({"library/resume", image.digest(), {}}, progress, {});
  ASSERT_TRUE(pulled.has_value()) << pulled.error().message();
  EXPECT_LT(pulled->bytes_fetched, bytes_of(image) - layer.size() / 2);
  EXPECT_EQ(progress.bytes_done.load(), progress.bytes_total.load());
  expect_held("library/resume", image);
  const auto log = upstream_->log();
  EXPECT_NE(log.find("/blobs/" + common::crypto::digest_of(layer).str() + " HTTP/1.1\" 206"),
            std::string::npos)
      << log;
}

TEST_F(ImagePullerTest, AnUpstreamThatIgnoresTheRangeRestartsTheBlobCleanly) {
  const auto layer = test_blob("no-range", 4 * 1024 * 1024);
  const auto image = make_test_image("no-range", {layer});
  seed("library/mirror", image);
  stop_midway({"library/mirror", image.digest(), {}}, layer);

  testutil::StaticHttpServer mirror(dir_.path() / "mirror" / "root");
  publish(mirror, "library/mirror", image);
  auto puller = make_puller({}, mirror.url());
  PullProgress progress;
  auto pulled = puller->pull({"library/mirror", image.digest(), {}}, progress, {});
  ASSERT_TRUE(pulled.has_value()) << pulled.error().message();
  // The whole layer again, once (the config arrived before the stop).
  EXPECT_EQ(pulled->bytes_fetched, image.manifest.size() + layer.size());
  EXPECT_EQ(progress.bytes_done.load(), progress.bytes_total.load());
  expect_held("library/mirror", image);
  EXPECT_NE(mirror.log().find(common::crypto::digest_of(layer).str() + " HTTP/1.1\" 200"),
            std::string::npos)
      << mirror.log();
}

TEST_F(ImagePullerTest, BytesThatDoNotMatchTheirDigestNeverBecomeVisible) {
  const auto image = make_test_image("tampered", {test_blob("good", 10'000)});
  testutil::StaticHttpServer mirror(dir_.path() / "mirror" / "root");
  publish(mirror, "evil/app", image);
  const auto layer_digest = common::crypto::digest_of(image.layers[0]);
  mirror.put("v2/evil/app/blobs/" + layer_digest.str(), test_blob("bad", 10'000));
  const auto lying = common::crypto::digest_of("another manifest");
  mirror.put("v2/evil/app/manifests/" + lying.str(), image.manifest);
  auto puller = make_puller({}, mirror.url());

  PullProgress progress;
  auto pulled = puller->pull({"evil/app", lying, {}}, progress, {});
  ASSERT_FALSE(pulled.has_value());
  EXPECT_EQ(pulled.error().code(), ErrorCode::kDigestInvalid);
  EXPECT_NE(pulled.error().message().find(lying.str()), std::string::npos);

  pulled = puller->pull({"evil/app", image.digest(), {}}, progress, {});
  ASSERT_FALSE(pulled.has_value());
  EXPECT_EQ(pulled.error().code(), ErrorCode::kDigestInvalid);
  EXPECT_EQ(pulled.error().message(), "blob " + layer_digest.str() +
                                          " from evil/app upstream does not match its digest: "
                                          "refused");
  EXPECT_FALSE(registry_->get_manifest("evil/app", image.digest().str()).has_value());
  EXPECT_FALSE(registry_->link_stored_blob("evil/app", layer_digest).value_or(true));
}

TEST_F(ImagePullerTest, TheTokenFlowFetchesABearerTokenOncePerScopeUntilItExpires) {
  const auto first = make_test_image("first", {test_blob("t1", 5000), test_blob("t2", 5000)});
  const auto second = make_test_image("second", {test_blob("t3", 5000)});
  seed("secure/app", first);
  seed("secure/app", second);
  testutil::TokenIssuer issuer(dir_.path() / "issuer", "alice", "s3cret");
  upstream_->restart(issuer.registry_auth());
  const auto granted = [&] { return count_of(issuer.log(), "HTTP/1.1\" 200"); };

  PullProgress progress;
  for (const auto& password : {"wrong", ""}) {
    auto denied = make_puller({.username = password[0] ? "alice" : "", .password = password})
                      ->pull({"secure/app", first.digest(), {}}, progress, {});
    ASSERT_FALSE(denied.has_value());
    EXPECT_EQ(denied.error().code(), ErrorCode::kPermissionDenied);
    EXPECT_NE(denied.error().message().find("token service of the upstream refused"),
              std::string::npos)
        << denied.error().message();
  }
  EXPECT_EQ(granted(), 0u);

  puller_clock_ = &clock_;  // token expiry on a clock the test moves
  auto puller = make_puller({.username = "alice", .password = "s3cret"});
  auto pulled = puller->pull({"secure/app", first.digest(), {}}, progress, {});
  ASSERT_TRUE(pulled.has_value()) << pulled.error().message();
  expect_held("secure/app", first);
  EXPECT_EQ(granted(), 1u) << issuer.log();  // one token for the manifest and both blobs

  clock_.advance(std::chrono::seconds(300));  // the token lapses
  pulled = puller->pull({"secure/app", second.digest(), {}}, progress, {});
  ASSERT_TRUE(pulled.has_value()) << pulled.error().message();
  expect_held("secure/app", second);
  EXPECT_EQ(granted(), 2u) << issuer.log();
}

class ImagePullerAuthTest : public ImagePullerTest {
 protected:
  void SetUp() override {
    auth_ = testutil::DockerRegistry::Credentials{"alice", "s3cret"};
    ImagePullerTest::SetUp();
  }
};

TEST_F(ImagePullerAuthTest, BasicCredentialsPullAndAWrongPasswordIsDenied) {
  const auto image = make_test_image("private", {test_blob("private", 5000)});
  seed("private/app", image);

  auto wrong = make_puller({.username = "alice", .password = "wrong"});
  PullProgress progress;
  auto denied = wrong->pull({"private/app", image.digest(), {}}, progress, {});
  ASSERT_FALSE(denied.has_value());
  EXPECT_EQ(denied.error().code(), ErrorCode::kPermissionDenied);
  EXPECT_EQ(denied.error().message().find("s3cret"), std::string::npos);
  wrong.reset();

  auto anonymous = make_puller();
  denied = anonymous->pull({"private/app", image.digest(), {}}, progress, {});
  ASSERT_FALSE(denied.has_value());
  EXPECT_EQ(denied.error().code(), ErrorCode::kPermissionDenied);
  anonymous.reset();

  auto right = make_puller({.username = "alice", .password = "s3cret"});
  auto pulled = right->pull({"private/app", image.digest(), {}}, progress, {});
  ASSERT_TRUE(pulled.has_value()) << pulled.error().message();
  expect_held("private/app", image);
}

// --- Signature policy ------------------------------------------------------------------------

using common::fleet_wire::SignatureMode;
using common::fleet_wire::SignaturePolicy;

struct TestKey {
  common::crypto::CosignKey key;
  std::string public_pem;
};

TestKey new_key() {
  auto key = common::crypto::CosignKey::generate();
  EXPECT_TRUE(key.has_value());
  auto pem = key->public_key_pem();
  EXPECT_TRUE(pem.has_value());
  return {std::move(*key), *pem};
}

class ImagePullerSignatureTest : public ImagePullerTest {
 protected:
  void SetUp() override {
    ImagePullerTest::SetUp();
    puller_ = make_puller();
  }
  // Signs `signed_digest` with `key` as cosign does (under another registry's name) and
  // stores the signature under the signature tag of `tagged_digest` in `repository` upstream.
  // Returns the signature manifest.
  std::string sign(const std::string& repository, const common::Digest& signed_digest,
                   const TestKey& key, std::optional<common::Digest> tagged_digest = std::nullopt) {
    auto payload =
        common::crypto::simple_signing_payload("ci.example:5000/" + repository, signed_digest);
    auto signature = common::crypto::sign_payload(key.key, payload.value());
    common::crypto::SignatureManifest manifest;
    manifest.append(common::crypto::SignatureLayer::of(*payload, *signature));
    upstream_->push_blob(repository, *payload);
    upstream_->push_blob(repository, manifest.config_json());
    upstream_->push_manifest(
        repository, common::crypto::signature_tag(tagged_digest.value_or(signed_digest)),
        manifest.manifest_json(), std::string(common::crypto::kOciManifestMediaType));
    return manifest.manifest_json();
  }
  common::Result<PulledArtifact> pull(const TestImage& image, SignaturePolicy policy) {
    PullProgress progress;
    return puller_->pull({"library/app", image.digest(), {}, std::move(policy)}, progress, {});
  }
  // The signature tag of `image` as the satellite serves it.
  common::Result<std::string> local_signature(const TestImage& image) {
    auto manifest =
        registry_->get_manifest("library/app", common::crypto::signature_tag(image.digest()));
    if (!manifest) return common::fail(manifest.error());
    return (*manifest)->content;
  }

  TestKey trusted_ = new_key();
  TestKey other_ = new_key();
  std::unique_ptr<ImagePuller> puller_;
};

TEST_F(ImagePullerSignatureTest, EnforceStoresAnImageSignedByATrustedKeyWithItsSignature) {
  const auto image = make_test_image("signed");
  seed("library/app", image);
  const auto signature = sign("library/app", image.digest(), trusted_);
  auto pulled = pull(image, {SignatureMode::kEnforce, {other_.public_pem, trusted_.public_pem}});
  ASSERT_TRUE(pulled.has_value()) << pulled.error().message();
  EXPECT_EQ(pulled->signature_warning, "");
  expect_held("library/app", image);
  // The signature is served as the upstream has it, with its blobs.
  auto local = local_signature(image);
  ASSERT_TRUE(local.has_value()) << local.error().message();
  EXPECT_EQ(*local, signature);
  auto layers = common::crypto::SignatureManifest::parse(*local);
  ASSERT_TRUE(layers.has_value());
  for (const auto& layer : layers->layers())
    EXPECT_TRUE(registry_->stat_blob("library/app", layer.digest).has_value());
}

TEST_F(ImagePullerSignatureTest, EnforceRefusesAnImageWithoutAValidSignatureAndSaysWhy) {
  const auto unsigned_image = make_test_image("unsigned");
  const auto foreign = make_test_image("foreign");
  const auto moved = make_test_image("moved");
  for (const auto* image : {&unsigned_image, &foreign, &moved}) seed("library/app", *image);
  sign("library/app", foreign.digest(), other_);
  sign("library/app", foreign.digest(), trusted_, moved.digest());  // signs another image
  const SignaturePolicy enforce{SignatureMode::kEnforce, {trusted_.public_pem}};
  struct Case {
    const TestImage* image;
    std::string reason;
  };
  for (const auto& c :
       {Case{&unsigned_image, "signature policy enforce: no cosign signature (no tag sha256-"},
        Case{&foreign, "signature policy enforce: signed by no trusted key (1 signature"},
        Case{&moved, "signature policy enforce: signed by a trusted key for another digest " +
                         foreign.digest().str()}}) {
    auto pulled = pull(*c.image, enforce);
    ASSERT_FALSE(pulled.has_value()) << c.reason;
    EXPECT_EQ(pulled.error().code(), ErrorCode::kPermissionDenied);
    EXPECT_TRUE(pulled.error().message().starts_with(c.reason)) << pulled.error().message();
    EXPECT_FALSE(registry_->get_manifest("library/app", c.image->digest().str()).has_value());
    EXPECT_FALSE(
        registry_->stat_blob("library/app", common::crypto::digest_of(c.image->config)).has_value())
        << "a refused image's blobs are not even fetched";
  }
  // Signed later: the next attempt takes it.
  sign("library/app", unsigned_image.digest(), trusted_);
  auto pulled = pull(unsigned_image, enforce);
  ASSERT_TRUE(pulled.has_value()) << pulled.error().message();
  expect_held("library/app", unsigned_image);
}

TEST_F(ImagePullerSignatureTest, WarnStoresAnImageWithoutAValidSignatureAndSaysWhy) {
  const auto unsigned_image = make_test_image("unsigned");
  const auto foreign = make_test_image("foreign");
  seed("library/app", unsigned_image);
  seed("library/app", foreign);
  sign("library/app", foreign.digest(), other_);
  const SignaturePolicy warn{SignatureMode::kWarn, {trusted_.public_pem}};
  auto pulled = pull(unsigned_image, warn);
  ASSERT_TRUE(pulled.has_value()) << pulled.error().message();
  EXPECT_TRUE(pulled->signature_warning.starts_with("signature policy warn: no cosign signature"))
      << pulled->signature_warning;
  expect_held("library/app", unsigned_image);
  EXPECT_FALSE(local_signature(unsigned_image).has_value());

  pulled = pull(foreign, warn);
  ASSERT_TRUE(pulled.has_value()) << pulled.error().message();
  EXPECT_TRUE(pulled->signature_warning.starts_with("signature policy warn: signed by no trusted"))
      << pulled->signature_warning;
  expect_held("library/app", foreign);
  EXPECT_TRUE(local_signature(foreign).has_value()) << "the signature is copied all the same";
}

TEST_F(ImagePullerSignatureTest, OffCopiesTheSignatureWithoutCheckingIt) {
  const auto signed_image = make_test_image("signed");
  const auto unsigned_image = make_test_image("unsigned");
  seed("library/app", signed_image);
  seed("library/app", unsigned_image);
  sign("library/app", signed_image.digest(), other_);
  auto pulled = pull(signed_image, {});
  ASSERT_TRUE(pulled.has_value()) << pulled.error().message();
  EXPECT_EQ(pulled->signature_warning, "");
  EXPECT_TRUE(local_signature(signed_image).has_value());
  pulled = pull(unsigned_image, {});
  ASSERT_TRUE(pulled.has_value()) << pulled.error().message();
  expect_held("library/app", unsigned_image);
}

}  // namespace
}  // namespace satellite::replication
