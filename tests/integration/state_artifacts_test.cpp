// Signed state artifacts end to end through Debian's docker-registry on loopback
// (docs/state-artifacts.md): ground control's StatePublisher pushes group, satellite and
// config states, the satellite's RegistryStateReader reads them back verified, anonymously
// and behind the registry token flow (token_issuer.py). The reader refuses what an attacker
// with push rights could do (other content, no signature, another key, another
// repository's signature, an older version, a blob altered in storage), accepts a rotated
// key once trusted, and old versions are pruned. cosign 2.5 itself verifies a published
// state artifact and refuses a tampered one: COSIGN names it (ctest sets it; without it the
// test fails, saying to run scripts/bootstrap).
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "common/crypto/cosign_signature.hpp"
#include "common/crypto/hasher.hpp"
#include "common/fleet_wire/state_manifest.hpp"
#include "common/fleet_wire/state_signature.hpp"
#include "common/oci/media_types.hpp"
#include "common/oci/registry_client.hpp"
#include "groundcontrol/registry/state_publisher.hpp"
#include "satellite/fleet/registry_state_reader.hpp"
#include "testutil/docker_registry.hpp"
#include "testutil/fake_clock.hpp"
#include "testutil/run_command.hpp"
#include "testutil/temp_dir.hpp"
#include "testutil/text.hpp"
#include "testutil/token_issuer.hpp"

namespace {

using common::Digest;
using common::ErrorCode;
using common::crypto::CosignKey;
using common::fleet_wire::ConfigState;
using common::fleet_wire::GroupState;
using common::fleet_wire::RenderedState;
using common::fleet_wire::SatelliteStateRef;
using common::fleet_wire::TrustedKeys;
using groundcontrol::registry::StatePublisher;
using groundcontrol::registry::StatePublisherConfig;
using satellite::fleet::RegistryStateReader;
using satellite::fleet::RegistryStateReaderConfig;
using satellite::fleet::StateKind;

const std::string kGroupRepo = common::fleet_wire::group_state_repository("satellite", "edge");
const std::string kSatelliteRepo =
    common::fleet_wire::satellite_state_repository("satellite", "edge-01");
const std::string kConfigRepo = common::fleet_wire::config_state_repository("satellite", "default");

Digest digest_of_char(char c) {
  return Digest::from_hex(common::DigestAlgorithm::kSha256, std::string(64, c));
}

GroupState group(std::uint64_t version, char image = 'a') {
  return {"edge", version, {{"library/nginx", digest_of_char(image), {"1.25"}, "IMAGE"}}};
}

TrustedKeys trust(std::initializer_list<const CosignKey*> keys) {
  std::vector<std::string> pems;
  for (const auto* key : keys) pems.push_back(key->public_key_pem().value());
  return TrustedKeys::from_pems(pems).value();
}

class StateArtifactsTest : public ::testing::TestWithParam<bool> {
 protected:
  void SetUp() override {
    registry_ = std::make_unique<testutil::DockerRegistry>(dir_.path() / "registry");
    if (GetParam()) {
      issuer_ = std::make_unique<testutil::TokenIssuer>(dir_.path() / "issuer", "robot", "s3cret");
      registry_->restart(issuer_->registry_auth());
    }
    client_ = make_client();
  }

  std::unique_ptr<common::oci::RegistryClient> make_client() {
    common::oci::RegistryEndpoint endpoint{registry_->url()};
    if (GetParam()) {
      endpoint.username = "robot";
      endpoint.password = "s3cret";
    }
    auto client = common::oci::RegistryClient::create(endpoint, {}, clock_);
    if (!client) throw std::runtime_error(client.error().message());
    return std::move(*client);
  }

  StatePublisher publisher(const CosignKey& key, StatePublisherConfig config = {}) {
    auto made = StatePublisher::create(*client_, key, std::move(config));
    if (!made) throw std::runtime_error(made.error().message());
    return std::move(*made);
  }
  RegistryStateReader reader(const TrustedKeys& keys, const std::string& repository,
                             StateKind kind = StateKind::kGroup,
                             std::optional<satellite::fleet::AppliedState> applied = {}) {
    auto made =
        RegistryStateReader::create(*client_, keys, {repository, kind, "", 32}, std::move(applied));
    if (!made) throw std::runtime_error(made.error().message());
    return std::move(*made);
  }
  groundcontrol::registry::PublishedState publish(StatePublisher& with,
                                                  const std::string& repository,
                                                  const RenderedState& state) {
    auto published = with.publish(repository, state);
    if (!published) throw std::runtime_error(published.error().message());
    return std::move(*published);
  }

  // What an attacker with push rights does: `state`'s blobs and manifest under `latest`.
  void push_as_latest(const std::string& repository, const RenderedState& state) {
    for (const std::string& blob : {std::string("{}"), state.document}) {
      ASSERT_TRUE(client_->push_blob(repository, common::crypto::digest_of(blob), blob));
    }
    ASSERT_TRUE(client_->push_manifest(repository, "latest", common::oci::media_type::kOciManifest,
                                       state.manifest));
  }
  // The signature manifest of `from`, byte for byte, at the signature tag of `to`.
  void copy_signature(const std::string& repository, const Digest& from, const Digest& to) {
    const auto tag = common::crypto::signature_tag(from);
    auto manifest = client_->get_manifest(repository, tag);
    ASSERT_TRUE(manifest) << manifest.error().message();
    ASSERT_TRUE(client_->push_manifest(repository, common::crypto::signature_tag(to),
                                       common::oci::media_type::kOciManifest, manifest->content));
  }

  // The refusal of `poll`'s result: its code, and that its message holds `why`.
  static void expect_refused(
      const common::Result<std::optional<satellite::fleet::RegistryStateUpdate>>& poll,
      ErrorCode code, std::string_view why) {
    ASSERT_FALSE(poll) << "accepted a state that should be refused";
    EXPECT_EQ(poll.error().code(), code) << poll.error().message();
    EXPECT_NE(poll.error().message().find(why), std::string::npos) << poll.error().message();
  }

  testutil::TempDir dir_;
  testutil::FakeClock clock_;
  std::unique_ptr<testutil::DockerRegistry> registry_;
  std::unique_ptr<testutil::TokenIssuer> issuer_;
  std::unique_ptr<common::oci::RegistryClient> client_;
  CosignKey key_ = CosignKey::generate().value();
};

TEST_P(StateArtifactsTest, PublishesTheThreeKindsAndReadsThemBackVerified) {
  auto gc = publisher(key_);
  const auto keys = trust({&key_});
  SatelliteStateRef satellite{"edge-01", 1,           {{"edge", kGroupRepo}},
                              "default", kConfigRepo, digest_of_char('c').str()};
  ConfigState config;
  config.version = 1;
  config.config.name = "default";
  config.config.digest = digest_of_char('c').str();
  config.config.upstream_url = "https://harbor.example";
  config.config.upstream_username = "robot$edge";
  config.config.upstream_password = "never-in-the-registry";

  const auto group_published = publish(gc, kGroupRepo, render_state(group(1)));
  EXPECT_TRUE(group_published.signed_now);
  publish(gc, kSatelliteRepo, render_state(satellite));
  const auto config_rendered = render_state(config);
  publish(gc, kConfigRepo, config_rendered);

  auto group_reader = reader(keys, kGroupRepo);
  auto read = group_reader.poll();
  ASSERT_TRUE(read) << read.error().message();
  ASSERT_TRUE(read->has_value());
  EXPECT_EQ((*read)->digest, group_published.manifest_digest);
  EXPECT_EQ((*read)->version, 1u);
  EXPECT_EQ(std::get<GroupState>((*read)->document), group(1));

  auto satellite_reader = reader(keys, kSatelliteRepo, StateKind::kSatellite);
  auto sat = satellite_reader.poll();
  ASSERT_TRUE(sat && sat->has_value()) << (sat ? "unchanged" : sat.error().message());
  EXPECT_EQ(std::get<SatelliteStateRef>((*sat)->document), satellite);

  auto config_reader = reader(keys, kConfigRepo, StateKind::kConfig);
  auto conf = config_reader.poll();
  ASSERT_TRUE(conf && conf->has_value()) << (conf ? "unchanged" : conf.error().message());
  const auto& read_config = std::get<ConfigState>((*conf)->document).config;
  EXPECT_EQ(read_config.upstream_url, "https://harbor.example");
  EXPECT_EQ(read_config.digest, satellite.config_digest);
  EXPECT_TRUE(read_config.upstream_password.empty());
  // The document in the registry holds no credential.
  auto stored = client_->get_blob_content(kConfigRepo, config_rendered.document_digest, 1 << 20);
  ASSERT_TRUE(stored) << stored.error().message();
  EXPECT_EQ(stored->find("never-in-the-registry"), std::string::npos);
  EXPECT_EQ(stored->find("robot$edge"), std::string::npos);

  // Unchanged: one HEAD of latest, no fetch.
  const auto gets_before = testutil::count_of(registry_->log(), "\"GET /v2/" + kGroupRepo);
  const auto heads_before = testutil::count_of(registry_->log(), "\"HEAD /v2/" + kGroupRepo);
  auto again = group_reader.poll();
  ASSERT_TRUE(again) << again.error().message();
  EXPECT_FALSE(again->has_value());
  EXPECT_EQ(testutil::count_of(registry_->log(), "\"GET /v2/" + kGroupRepo), gets_before);
  EXPECT_GT(testutil::count_of(registry_->log(), "\"HEAD /v2/" + kGroupRepo), heads_before);

  // Republishing the same state pushes no new signature; a new version is read.
  EXPECT_FALSE(publish(gc, kGroupRepo, render_state(group(1))).signed_now);
  publish(gc, kGroupRepo, render_state(group(2, 'b')));
  auto next = group_reader.poll();
  ASSERT_TRUE(next && next->has_value()) << (next ? "unchanged" : next.error().message());
  EXPECT_EQ((*next)->version, 2u);
  EXPECT_EQ(group_reader.applied()->version, 2u);
  if (GetParam()) {
    EXPECT_NE(issuer_->log().find("GET /token?"), std::string::npos);
  }
}

TEST_P(StateArtifactsTest, RefusesOtherContentUnderAGenuineSignatureAndUnsignedState) {
  auto gc = publisher(key_);
  const auto keys = trust({&key_});
  const auto genuine = publish(gc, kGroupRepo, render_state(group(1)));
  auto satellite = reader(keys, kGroupRepo);
  ASSERT_TRUE(satellite.poll());

  // Other content (a newer version even) under latest: unsigned.
  const auto forged = render_state(group(5, 'f'));
  push_as_latest(kGroupRepo, forged);
  expect_refused(satellite.poll(), ErrorCode::kPermissionDenied, "not signed");
  // The genuine signature copied to its signature tag: it names the genuine content.
  copy_signature(kGroupRepo, genuine.manifest_digest, forged.manifest_digest);
  expect_refused(satellite.poll(), ErrorCode::kPermissionDenied,
                 "signed for " + genuine.manifest_digest.str() + ", not for this content " +
                     forged.manifest_digest.str());
  EXPECT_EQ(satellite.applied()->digest, genuine.manifest_digest);  // nothing applied
}

TEST_P(StateArtifactsTest, RefusesALayerAlteredInTheRegistrysStorage) {
  auto gc = publisher(key_);
  const auto rendered = render_state(group(1));
  publish(gc, kGroupRepo, rendered);
  const auto& hex = rendered.document_digest.hex();
  const auto blob = dir_.path() / "registry" / "data" / "docker" / "registry" / "v2" / "blobs" /
                    "sha256" / hex.substr(0, 2) / hex / "data";
  ASSERT_TRUE(std::filesystem::exists(blob)) << blob;
  auto altered = rendered.document;
  altered.replace(altered.find("nginx"), 5, "evil!");
  std::ofstream(blob, std::ios::binary | std::ios::trunc) << altered;

  const auto keys = trust({&key_});
  auto satellite = reader(keys, kGroupRepo);
  expect_refused(satellite.poll(), ErrorCode::kDigestInvalid, "refused");
  EXPECT_FALSE(satellite.applied());
}

TEST_P(StateArtifactsTest, RefusesAnUntrustedKeyAndAnotherRepositorysSignature) {
  const auto stranger = CosignKey::generate().value();
  auto rogue = publisher(stranger);
  publish(rogue, kGroupRepo, render_state(group(1)));
  const auto keys = trust({&key_});
  auto satellite = reader(keys, kGroupRepo);
  expect_refused(satellite.poll(), ErrorCode::kPermissionDenied, "none of the 1 trusted key");

  // Signed by the trusted key, but for another registry name: not this repository here.
  auto elsewhere = publisher(key_, {10, "registry.elsewhere:5000"});
  publish(elsewhere, kGroupRepo, render_state(group(2)));
  expect_refused(satellite.poll(), ErrorCode::kPermissionDenied,
                 "signed for \"registry.elsewhere:5000/" + kGroupRepo + "\"");
  EXPECT_FALSE(satellite.applied());
}

TEST_P(StateArtifactsTest, RefusesAnOlderVersionAndTheSameVersionWithOtherContent) {
  auto gc = publisher(key_);
  const auto keys = trust({&key_});
  const auto v2 = render_state(group(2));
  publish(gc, kGroupRepo, v2);
  const auto v3 = publish(gc, kGroupRepo, render_state(group(3, 'b')));
  auto satellite = reader(keys, kGroupRepo);
  ASSERT_TRUE(satellite.poll());
  ASSERT_EQ(satellite.applied()->version, 3u);

  // The genuinely signed v2 put back under latest: a rollback.
  ASSERT_TRUE(client_->push_manifest(kGroupRepo, "latest", common::oci::media_type::kOciManifest,
                                     v2.manifest));
  expect_refused(satellite.poll(), ErrorCode::kConflict, "older than version 3");

  // Another v3, genuinely signed (as a compromised ground control might), is refused too.
  const auto other_v3 = render_state(group(3, 'c'));
  push_as_latest(kGroupRepo, other_v3);
  auto signed_v3 = common::fleet_wire::sign_state(
      key_,
      common::fleet_wire::state_identity(
          common::fleet_wire::registry_host(registry_->url()).value(), kGroupRepo),
      other_v3.manifest_digest);
  ASSERT_TRUE(signed_v3);
  common::crypto::SignatureManifest signature;
  signature.append(common::crypto::SignatureLayer::of(signed_v3->payload, signed_v3->signature));
  for (const auto& blob : {signed_v3->payload, signature.config_json()}) {
    ASSERT_TRUE(client_->push_blob(kGroupRepo, common::crypto::digest_of(blob), blob));
  }
  ASSERT_TRUE(
      client_->push_manifest(kGroupRepo, common::crypto::signature_tag(other_v3.manifest_digest),
                             common::oci::media_type::kOciManifest, signature.manifest_json()));
  expect_refused(satellite.poll(), ErrorCode::kConflict, "version 3 is already applied");
  EXPECT_EQ(satellite.applied()->digest, v3.manifest_digest);

  // A reader made after a restart with what was applied refuses the rollback as well.
  auto restarted = reader(keys, kGroupRepo, StateKind::kGroup, satellite.applied());
  expect_refused(restarted.poll(), ErrorCode::kConflict, "version 3 is already applied");

  // The publisher refuses to go back, and to publish v3 with other content.
  auto older = gc.publish(kGroupRepo, render_state(group(1)));
  ASSERT_FALSE(older);
  EXPECT_EQ(older.error().code(), ErrorCode::kConflict) << older.error().message();
  auto same = gc.publish(kGroupRepo, render_state(group(3, 'd')));
  ASSERT_FALSE(same);
  EXPECT_EQ(same.error().code(), ErrorCode::kConflict) << same.error().message();
  auto zero = gc.publish(kGroupRepo, render_state(group(0)));
  ASSERT_FALSE(zero);
  EXPECT_EQ(zero.error().code(), ErrorCode::kInvalidArgument) << zero.error().message();
}

TEST_P(StateArtifactsTest, AcceptsARotatedKeyOnceItIsTrusted) {
  auto old_gc = publisher(key_);
  publish(old_gc, kGroupRepo, render_state(group(1)));
  const auto old_only = trust({&key_});
  auto satellite = reader(old_only, kGroupRepo);
  ASSERT_TRUE(satellite.poll());

  const auto new_key = CosignKey::generate().value();
  auto new_gc = publisher(new_key);
  const auto v2 = publish(new_gc, kGroupRepo, render_state(group(2, 'b')));
  expect_refused(satellite.poll(), ErrorCode::kPermissionDenied, "none of the 1 trusted key");

  const auto both = trust({&key_, &new_key});
  auto rotated = reader(both, kGroupRepo, StateKind::kGroup, satellite.applied());
  auto read = rotated.poll();
  ASSERT_TRUE(read && read->has_value()) << (read ? "unchanged" : read.error().message());
  EXPECT_EQ((*read)->digest, v2.manifest_digest);
}

TEST_P(StateArtifactsTest, PrunesVersionsBeyondTheConfiguredCount) {
  auto gc = publisher(key_, {3, ""});
  std::vector<Digest> digests;
  std::optional<groundcontrol::registry::PublishedState> last;
  for (std::uint64_t v = 1; v <= 5; ++v) {
    last = publish(gc, kGroupRepo, render_state(group(v, static_cast<char>('a' + v))));
    EXPECT_TRUE(last->warnings.empty()) << last->warnings.front();
    digests.push_back(last->manifest_digest);
  }
  EXPECT_EQ(last->pruned, (std::vector<std::uint64_t>{2}));
  auto tags = client_->list_tags(kGroupRepo);
  ASSERT_TRUE(tags) << tags.error().message();
  std::sort(tags->begin(), tags->end());
  std::vector<std::string> expected{"latest", "v3", "v4", "v5"};
  for (std::size_t i = 2; i < 5; ++i) expected.push_back(common::crypto::signature_tag(digests[i]));
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(*tags, expected);
  for (std::size_t i = 0; i < 2; ++i) {
    auto gone = client_->head_manifest(kGroupRepo, digests[i].str());
    ASSERT_FALSE(gone);
    EXPECT_EQ(gone.error().code(), ErrorCode::kNotFound);
  }
  // What remains still reads.
  const auto keys = trust({&key_});
  auto satellite = reader(keys, kGroupRepo);
  ASSERT_TRUE(satellite.poll());
  EXPECT_EQ(satellite.applied()->version, 5u);
}

INSTANTIATE_TEST_SUITE_P(Auth, StateArtifactsTest, ::testing::Values(false, true),
                         [](const auto& info) { return info.param ? "TokenFlow" : "Anonymous"; });

// A registry that does not allow deletes: pruning is a warning, the publish succeeds.
TEST(StateArtifactsPruneTest, ARegistryWithoutDeletesGivesAWarningNotAFailure) {
  testutil::TempDir dir;
  testutil::FakeClock clock;
  testutil::DockerRegistry registry(dir.path() / "registry");
  registry.set_delete_enabled(false);
  registry.restart("");
  auto client = common::oci::RegistryClient::create({registry.url()}, {}, clock).value();
  const auto key = CosignKey::generate().value();
  auto gc = StatePublisher::create(*client, key, {1, ""}).value();
  ASSERT_TRUE(gc.publish(kGroupRepo, render_state(group(1))));
  auto second = gc.publish(kGroupRepo, render_state(group(2, 'b')));
  ASSERT_TRUE(second) << second.error().message();
  EXPECT_TRUE(second->pruned.empty());
  ASSERT_EQ(second->warnings.size(), 1u);
  EXPECT_NE(second->warnings[0].find("does not allow deletes"), std::string::npos)
      << second->warnings[0];
  auto latest = client->resolve_tag(kGroupRepo, "latest");
  ASSERT_TRUE(latest);
  EXPECT_EQ(*latest, second->manifest_digest);
}

// cosign 2.5, the independent implementation, verifies what ground control publishes.
TEST(StateArtifactsCosignTest, CosignVerifiesAPublishedStateAndRefusesATamperedOne) {
  const char* cosign_env = std::getenv("COSIGN");
  const std::string cosign = cosign_env == nullptr ? "" : cosign_env;
  ASSERT_TRUE(!cosign.empty() && ::access(cosign.c_str(), X_OK) == 0)
      << "cosign is missing (COSIGN='" << cosign
      << "'): run scripts/bootstrap, which unpacks Debian 13's cosign 2.5 into .tools/cosign, "
         "then re-run cmake";
  testutil::TempDir dir;
  testutil::FakeClock clock;
  testutil::DockerRegistry registry(dir.path() / "registry");
  auto client = common::oci::RegistryClient::create({registry.url()}, {}, clock).value();
  const auto key = CosignKey::generate().value();
  const auto pub = dir.path() / "ground-control.pub";
  std::ofstream(pub) << key.public_key_pem().value();
  std::filesystem::create_directories(dir.path() / "home");
  auto gc = StatePublisher::create(*client, key, {}).value();
  const auto published = gc.publish(kGroupRepo, render_state(group(1)));
  ASSERT_TRUE(published) << published.error().message();

  const auto host = common::fleet_wire::registry_host(registry.url()).value();
  int runs = 0;
  const auto verify = [&](const Digest& digest) {
    return testutil::run_command(
        {cosign, "verify", "--key", pub.string(), "--insecure-ignore-tlog=true",
         "--allow-http-registry", host + "/" + kGroupRepo + "@" + digest.str()},
        {{"HOME", (dir.path() / "home").string()}},
        dir.path() / ("cosign-" + std::to_string(++runs) + ".log"));
  };
  const auto verified = verify(published->manifest_digest);
  EXPECT_TRUE(verified.ok()) << verified.output;
  EXPECT_NE(verified.output.find(published->manifest_digest.str()), std::string::npos)
      << verified.output;

  // Other content with the genuine signature copied to its signature tag.
  const auto forged = render_state(group(2, 'f'));
  for (const std::string& blob : {std::string("{}"), forged.document}) {
    ASSERT_TRUE(client->push_blob(kGroupRepo, common::crypto::digest_of(blob), blob));
  }
  ASSERT_TRUE(client->push_manifest(kGroupRepo, "latest", common::oci::media_type::kOciManifest,
                                    forged.manifest));
  auto signature =
      client->get_manifest(kGroupRepo, common::crypto::signature_tag(published->manifest_digest));
  ASSERT_TRUE(signature);
  ASSERT_TRUE(client->push_manifest(kGroupRepo,
                                    common::crypto::signature_tag(forged.manifest_digest),
                                    common::oci::media_type::kOciManifest, signature->content));
  const auto refused = verify(forged.manifest_digest);
  EXPECT_FALSE(refused.ok()) << refused.output;
  EXPECT_NE(refused.output.find("no matching signatures"), std::string::npos) << refused.output;
}

}  // namespace
