#include "satellite/agent/reconciler.hpp"

#include <gtest/gtest.h>

#include <map>
#include <mutex>
#include <set>

#include "common/crypto/cosign_signature.hpp"
#include "common/crypto/hasher.hpp"
#include "common/fs/file_ops.hpp"
#include "common/oci/media_types.hpp"
#include "testutil/fake_clock.hpp"
#include "testutil/temp_dir.hpp"
#include "testutil/test_image.hpp"
#include "unit/satellite/agent/fake_upstream.hpp"

namespace satellite::agent {
namespace {

using common::Digest;
using common::fleet_wire::ArtifactPhase;
using common::fleet_wire::SatelliteState;
using common::fleet_wire::StateArtifact;
namespace media_type = common::oci::media_type;

StateArtifact artifact(std::string repository, const Digest& digest,
                       std::vector<std::string> tags) {
  return {std::move(repository), digest, std::move(tags), "IMAGE", {"g"}};
}

class ReconcilerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    registry::RegistryConfig config;
    config.data_dir = dir_.str() + "/data";
    registry_ = registry::RegistryService::open(config, common::log::null_logger()).value();
    upstream_ = std::make_unique<FakeUpstream>(*registry_);
    owned_ = std::make_unique<OwnedArtifacts>(OwnedArtifacts::load(ledger_path()).value());
    reconciler_ = std::make_unique<Reconciler>(*registry_, *owned_, tracker_, upstream_->function(),
                                               clock_, common::log::null_logger());
  }
  std::string ledger_path() const { return dir_.str() + "/data/agent/owned.json"; }

  PassOutcome pass(const std::vector<StateArtifact>& artifacts,
                   common::fleet_wire::SignaturePolicies policies = {}) {
    SatelliteState state;
    state.artifacts = artifacts;
    state.signature_policies = std::move(policies);
    auto outcome = reconciler_->run_pass(state, settings_, {});
    EXPECT_TRUE(outcome.has_value()) << outcome.error().message();
    return outcome.value_or(PassOutcome{});
  }
  std::optional<Digest> tag_target(const std::string& repository, const std::string& tag) {
    auto manifest = registry_->get_manifest(repository, tag);
    if (!manifest) return std::nullopt;
    return (*manifest)->digest;
  }
  bool held(const std::string& repository, const Digest& digest) {
    return registry_->get_manifest(repository, digest.str()).has_value();
  }
  const common::fleet_wire::ArtifactReport* report_of(const Digest& digest) {
    report_ = tracker_.report();
    for (const auto& item : report_)
      if (item.digest == digest) return &item;
    return nullptr;
  }

  testutil::TempDir dir_;
  testutil::FakeClock clock_;
  ArtifactTracker tracker_{RetryPolicy{std::chrono::seconds(10), std::chrono::minutes(5)},
                           [] { return 0.5; }};
  PassSettings settings_{true, std::chrono::seconds(600), {}, 3};
  std::unique_ptr<registry::RegistryService> registry_;
  std::unique_ptr<FakeUpstream> upstream_;
  std::unique_ptr<OwnedArtifacts> owned_;
  std::unique_ptr<Reconciler> reconciler_;
  std::vector<common::fleet_wire::ArtifactReport> report_;
};

TEST_F(ReconcilerTest, PullsWhatIsMissingSetsItsTagsAndThenDoesNothingMore) {
  const auto nginx = testutil::make_test_image("nginx");
  const auto redis = testutil::make_test_image("redis");
  upstream_->add(nginx);
  upstream_->add(redis);
  const std::vector desired{artifact("library/nginx", nginx.digest(), {"1.27", "latest"}),
                            artifact("library/redis", redis.digest(), {"7"})};

  auto first = pass(desired);
  EXPECT_TRUE(first.converged);
  EXPECT_EQ(first.pulled, 2u);
  EXPECT_EQ(tag_target("library/nginx", "1.27"), nginx.digest());
  EXPECT_EQ(tag_target("library/nginx", "latest"), nginx.digest());
  EXPECT_EQ(tag_target("library/redis", "7"), redis.digest());
  EXPECT_EQ(report_of(nginx.digest())->phase, ArtifactPhase::kPresent);

  auto second = pass(desired);
  EXPECT_TRUE(second.converged);
  EXPECT_EQ(second.pulled, 0u);
  EXPECT_EQ(upstream_->pulls(nginx.digest()), 1);

  // The ledger survives a restart: a new reconciler over the same files pulls nothing.
  auto reloaded = OwnedArtifacts::load(ledger_path()).value();
  EXPECT_EQ(reloaded.entries().size(), 2u);
}

TEST_F(ReconcilerTest, OneFailingImageNeverHoldsBackTheOthersAndIsRetriedWithBackOff) {
  const auto good = testutil::make_test_image("good");
  const auto bad = testutil::make_test_image("bad");
  upstream_->add(good);
  upstream_->add(bad);
  upstream_->break_digest(bad.digest());
  const std::vector desired{artifact("site/bad", bad.digest(), {"v1"}),
                            artifact("site/good", good.digest(), {"v1"})};

  auto first = pass(desired);
  EXPECT_FALSE(first.converged);
  EXPECT_EQ(first.pulled, 1u);
  EXPECT_EQ(first.failed, 1u);
  EXPECT_EQ(tag_target("site/good", "v1"), good.digest());
  const auto* failed = report_of(bad.digest());
  ASSERT_NE(failed, nullptr);
  EXPECT_EQ(failed->phase, ArtifactPhase::kFailed);
  EXPECT_NE(failed->reason.find("not found"), std::string::npos) << failed->reason;

  // Within its back-off it is not tried again; after it, it is, and then it arrives.
  auto soon = pass(desired);
  EXPECT_EQ(soon.waiting, 1u);
  EXPECT_EQ(upstream_->pulls(bad.digest()), 1);
  upstream_->repair(bad.digest());
  clock_.advance(std::chrono::seconds(11));
  auto later = pass(desired);
  EXPECT_TRUE(later.converged);
  EXPECT_EQ(upstream_->pulls(bad.digest()), 2);
  EXPECT_EQ(report_of(bad.digest())->phase, ArtifactPhase::kPresent);
  EXPECT_TRUE(report_of(bad.digest())->reason.empty());
}

TEST_F(ReconcilerTest, WhatLeavesTheStateIsUntaggedAtOnceAndRemovedAfterTheGrace) {
  const auto kept = testutil::make_test_image("kept");
  const auto dropped = testutil::make_test_image("dropped");
  const auto theirs = testutil::make_test_image("pushed at the site");
  upstream_->add(kept);
  upstream_->add(dropped);
  upstream_->store("site/app", theirs);  // pushed by people at the site, not the agent
  ASSERT_TRUE(
      registry_->put_manifest("site/app", "local", theirs.manifest, media_type::kOciManifest));
  pass({artifact("site/app", kept.digest(), {"v1"}),
        artifact("site/app", dropped.digest(), {"v0"})});
  ASSERT_EQ(tag_target("site/app", "v0"), dropped.digest());

  const std::vector desired{artifact("site/app", kept.digest(), {"v1"})};
  auto untagged = pass(desired);
  EXPECT_TRUE(untagged.converged);
  EXPECT_EQ(untagged.untagged, 1u);
  EXPECT_EQ(untagged.removed, 0u);
  EXPECT_FALSE(tag_target("site/app", "v0"));
  EXPECT_TRUE(held("site/app", dropped.digest()));  // by digest until the grace has passed

  clock_.advance(std::chrono::seconds(601));
  auto removed = pass(desired);
  EXPECT_EQ(removed.removed, 1u);
  EXPECT_TRUE(removed.gc_needed);
  EXPECT_FALSE(held("site/app", dropped.digest()));
  EXPECT_EQ(tag_target("site/app", "v1"), kept.digest());
  EXPECT_EQ(tag_target("site/app", "local"), theirs.digest());  // never the agent's to remove
  EXPECT_EQ(owned_->entries().size(), 1u);
}

TEST_F(ReconcilerTest, ATagFollowsTheDigestItMovesTo) {
  const auto v1 = testutil::make_test_image("v1");
  const auto v2 = testutil::make_test_image("v2");
  upstream_->add(v1);
  upstream_->add(v2);
  pass({artifact("site/app", v1.digest(), {"stable"})});
  ASSERT_EQ(tag_target("site/app", "stable"), v1.digest());

  auto moved = pass({artifact("site/app", v2.digest(), {"stable"})});
  EXPECT_TRUE(moved.converged);
  EXPECT_EQ(tag_target("site/app", "stable"), v2.digest());
}

TEST_F(ReconcilerTest, ATagPeopleMovedToTheirOwnImageIsLeftAlone) {
  const auto ours = testutil::make_test_image("ours");
  const auto theirs = testutil::make_test_image("theirs");
  upstream_->add(ours);
  pass({artifact("site/app", ours.digest(), {"v1"})});
  upstream_->store("site/app", theirs);
  ASSERT_TRUE(registry_->put_manifest("site/app", "v1", theirs.manifest, media_type::kOciManifest));

  auto outcome = pass({});
  EXPECT_EQ(outcome.untagged, 0u);
  EXPECT_EQ(tag_target("site/app", "v1"), theirs.digest());
}

TEST_F(ReconcilerTest, OutsideTheSyncWindowNothingIsPulledButHeldImagesAreTagged) {
  const auto held_image = testutil::make_test_image("held");
  const auto missing = testutil::make_test_image("missing");
  upstream_->add(held_image);
  upstream_->add(missing);
  pass({artifact("site/a", held_image.digest(), {"v1"})});

  settings_.pulls_allowed = false;
  auto closed = pass({artifact("site/a", held_image.digest(), {"v1", "v2"}),
                      artifact("site/b", missing.digest(), {"v1"})});
  EXPECT_EQ(closed.pulled, 0u);
  EXPECT_EQ(closed.waiting, 1u);
  EXPECT_EQ(upstream_->pulls(missing.digest()), 0);
  EXPECT_EQ(tag_target("site/a", "v2"), held_image.digest());
  EXPECT_EQ(report_of(missing.digest())->phase, ArtifactPhase::kPulling);
}

TEST_F(ReconcilerTest, RemovingAnIndexKeepsTheChildrenAnotherKeptIndexStillLists) {
  const auto amd64 = testutil::make_test_image("amd64");
  const auto arm64_old = testutil::make_test_image("arm64 old");
  const auto arm64_new = testutil::make_test_image("arm64 new");
  const auto old_index = testutil::make_test_index({amd64, arm64_old});
  const auto new_index = testutil::make_test_index({amd64, arm64_new});
  upstream_->add_index(old_index, {amd64, arm64_old});
  upstream_->add_index(new_index, {amd64, arm64_new});
  const auto old_digest = common::crypto::digest_of(old_index);
  const auto new_digest = common::crypto::digest_of(new_index);
  pass({artifact("site/multi", old_digest, {"old"}), artifact("site/multi", new_digest, {"new"})});

  settings_.removal_grace = std::chrono::seconds(0);
  auto outcome = pass({artifact("site/multi", new_digest, {"new"})});
  EXPECT_EQ(outcome.removed, 1u);
  EXPECT_FALSE(held("site/multi", old_digest));
  EXPECT_FALSE(held("site/multi", arm64_old.digest()));
  EXPECT_TRUE(held("site/multi", amd64.digest()));  // the kept index still lists it
  EXPECT_TRUE(held("site/multi", arm64_new.digest()));
  EXPECT_EQ(tag_target("site/multi", "new"), new_digest);
}

TEST_F(ReconcilerTest, ACorruptLedgerIsAnErrorAndIsNotOverwritten) {
  ASSERT_TRUE(common::fs::make_dirs(dir_.str() + "/data/agent"));
  ASSERT_TRUE(common::fs::atomic_write_file(ledger_path(), "{not json"));
  auto ledger = OwnedArtifacts::load(ledger_path());
  ASSERT_FALSE(ledger.has_value());
  EXPECT_EQ(ledger.error().code(), common::ErrorCode::kInvalidArgument);
  EXPECT_EQ(common::fs::read_file(ledger_path()).value(), "{not json");
}

TEST_F(ReconcilerTest, EachPullFollowsItsGroupsSignaturePolicyAndAWarningIsTheReason) {
  using common::fleet_wire::SignatureMode;
  using common::fleet_wire::SignaturePolicy;
  const auto strict = testutil::make_test_image("strict");
  const auto lax = testutil::make_test_image("lax");
  upstream_->add(strict);
  upstream_->add(lax);
  upstream_->warn_about(lax.digest(), "signature policy warn: no cosign signature");
  auto in_edge_and_lab = artifact("site/strict", strict.digest(), {"v1"});
  in_edge_and_lab.groups = {"edge", "lab"};
  auto in_lab = artifact("site/lax", lax.digest(), {"v1"});
  in_lab.groups = {"lab"};
  const common::fleet_wire::SignaturePolicies policies{
      {"edge", {SignatureMode::kEnforce, {"edge-key"}}},
      {"lab", {SignatureMode::kWarn, {"lab-key"}}}};

  auto first = pass({in_lab, in_edge_and_lab}, policies);
  EXPECT_TRUE(first.converged);
  EXPECT_EQ(upstream_->policy_of(strict.digest()),
            (SignaturePolicy{SignatureMode::kEnforce, {"edge-key"}}));
  EXPECT_EQ(upstream_->policy_of(lax.digest()),
            (SignaturePolicy{SignatureMode::kWarn, {"lab-key"}}));
  EXPECT_EQ(report_of(strict.digest())->reason, "");
  const auto* warned = report_of(lax.digest());
  ASSERT_NE(warned, nullptr);
  EXPECT_EQ(warned->phase, ArtifactPhase::kPresent);
  EXPECT_EQ(warned->reason, "signature policy warn: no cosign signature");
  // Held: each pass checks the signature held with it, so the warning stays, now saying
  // what is held.
  const auto held_warning = "signature policy warn: no cosign signature held (no tag " +
                            common::crypto::signature_tag(lax.digest()) + ")";
  pass({in_lab, in_edge_and_lab}, policies);
  EXPECT_EQ(report_of(lax.digest())->reason, held_warning);
  EXPECT_TRUE(held("site/lax", lax.digest()));  // warn never withdraws

  // A restart (a new tracker and reconciler on the same ledger) reports the warning again.
  ArtifactTracker restarted{RetryPolicy{std::chrono::seconds(10), std::chrono::minutes(5)},
                            [] { return 0.5; }};
  Reconciler again(*registry_, *owned_, restarted, upstream_->function(), clock_,
                   common::log::null_logger());
  SatelliteState state;
  state.artifacts = {in_lab};
  state.signature_policies = policies;
  ASSERT_TRUE(again.run_pass(state, settings_, {}));
  const auto reports = restarted.report();
  ASSERT_EQ(reports.size(), 1u);
  EXPECT_EQ(reports[0].phase, ArtifactPhase::kPresent);
  EXPECT_EQ(reports[0].reason, held_warning);
  EXPECT_EQ(upstream_->pulls(lax.digest()), 1);  // not pulled again for it
}

TEST_F(ReconcilerTest, AnImagesSignatureGoesWithIt) {
  const auto image = testutil::make_test_image("signed");
  const auto signature = testutil::make_test_image("its signature");
  upstream_->add(image);
  const std::vector desired{artifact("site/app", image.digest(), {"v1"})};
  pass(desired);
  // What the replication engine copies with the image: its signature under the .sig tag.
  const auto tag = common::crypto::signature_tag(image.digest());
  upstream_->store("site/app", signature, tag);
  settings_.removal_grace = std::chrono::seconds(0);
  const auto gone = pass({});
  EXPECT_EQ(gone.removed, 1u);
  EXPECT_FALSE(held("site/app", image.digest()));
  EXPECT_FALSE(registry_->get_manifest("site/app", tag).has_value());
}

}  // namespace
}  // namespace satellite::agent
