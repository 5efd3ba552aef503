// CA rotation on both engines: a rotation makes a new active CA and keeps the old one
// trusted; enrollments and renewals are signed by the new one and carry both; retiring the
// previous CA is refused while a satellite still holds a certificate from it, accepted once
// it renewed, and by force revokes what is left; a second handle on the database (another
// replica) signs with the rotated CA.
#include "groundcontrol/service/ca_rotation_service.hpp"

#include <gtest/gtest.h>

#include <array>
#include <thread>

#include <nlohmann/json.hpp>

#include "groundcontrol/model/kind.hpp"
#include "groundcontrol/pki/ca_bundle.hpp"
#include "service/enrollment_fixture.hpp"

namespace groundcontrol::service {
namespace {

using common::ErrorCode;
using model::Kind;
using nlohmann::json;
using test::csr_for;

class CaRotationServiceTest : public test::EnrollmentFixture {
 protected:
  void SetUp() override {
    EnrollmentFixture::SetUp();
    if (HasFatalFailure()) return;
    rotation_.emplace(*db_, clock_, box_, *cas_, *enrollment_, *sync_, "gc.example",
                      [this] { ++changes_; });
  }

  std::vector<CaSummary> listed() {
    auto cas = rotation_->list();
    EXPECT_TRUE(cas) << cas.error().message();
    return cas.value_or(std::vector<CaSummary>{});
  }

  std::optional<CaRotationService> rotation_;
  int changes_ = 0;
};

TEST_P(CaRotationServiceTest, RotationMakesANewActiveCaAndKeepsTheOldOneTrusted) {
  const auto before = enrolled("sat-a");
  const auto old_ca = cas_->current()->active.fingerprint_sha256();
  EXPECT_EQ(before.ca_bundle_pem, before.ca_pem);
  auto cas = listed();
  ASSERT_EQ(cas.size(), 1u);
  EXPECT_EQ(cas[0].role, CaRole::kActive);
  EXPECT_EQ(cas[0].fingerprint, old_ca);
  EXPECT_EQ(cas[0].subject, "CN=gc.example ground control CA");
  EXPECT_EQ(cas[0].satellites, 1);

  auto rotated = rotation_->rotate(admin_);
  ASSERT_TRUE(rotated) << rotated.error().message();
  EXPECT_EQ(changes_, 1);
  ASSERT_EQ(rotated->size(), 2u);
  EXPECT_EQ((*rotated)[0].role, CaRole::kActive);
  EXPECT_NE((*rotated)[0].fingerprint, old_ca);
  EXPECT_NE((*rotated)[0].subject, cas[0].subject);
  EXPECT_EQ((*rotated)[0].satellites, 0);
  EXPECT_EQ((*rotated)[1].role, CaRole::kPrevious);
  EXPECT_EQ((*rotated)[1].fingerprint, old_ca);
  EXPECT_EQ((*rotated)[1].satellites, 1);  // sat-a still holds the old CA's certificate
  EXPECT_EQ(view_.satellite_for_serial(before.serial).value_or(""), "sat-a");

  // Renewals and new enrollments are signed by the new CA and carry both.
  auto renewed = enrollment_->renew("sat-a", csr_for("sat-a"));
  ASSERT_TRUE(renewed) << renewed.error().message();
  EXPECT_EQ(renewed->ca_pem, cas_->current()->active.cert_pem());
  auto bundle = pki::CaBundle::parse(renewed->ca_bundle_pem);
  ASSERT_TRUE(bundle);
  EXPECT_EQ(bundle->fingerprints(), (std::vector{(*rotated)[0].fingerprint, old_ca}));
  EXPECT_EQ(enrolled("sat-b").ca_pem, renewed->ca_pem);
  cas = listed();
  ASSERT_EQ(cas.size(), 2u);
  EXPECT_EQ(cas[0].satellites, 2);
  EXPECT_EQ(cas[1].satellites, 0);

  // One rotation at a time.
  auto again = rotation_->rotate(admin_);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code(), ErrorCode::kConflict);
  EXPECT_NE(again.error().message().find(old_ca), std::string::npos);

  const auto trail = resources_->events({"CertificateAuthority", ""}).value();
  ASSERT_EQ(trail.size(), 1u);
  EXPECT_EQ(trail[0].verb, "rotate");
  EXPECT_EQ(trail[0].actor, "user:admin");
  EXPECT_EQ(trail[0].name, (*rotated)[0].fingerprint);
}

TEST_P(CaRotationServiceTest,
       RetiringIsRefusedWhileASatelliteHoldsTheOldCaAndAcceptedAfterRenewal) {
  EXPECT_EQ(rotation_->retire(false, admin_).error().code(), ErrorCode::kNotFound);
  const auto old = enrolled("sat-a");
  ASSERT_TRUE(rotation_->rotate(admin_));

  auto refused = rotation_->retire(false, admin_);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code(), ErrorCode::kConflict);
  EXPECT_TRUE(refused.error().message().starts_with("1 satellite(s) still hold"))
      << refused.error().message();
  EXPECT_EQ(listed().size(), 2u);

  auto renewed = enrollment_->renew("sat-a", csr_for("sat-a"));
  ASSERT_TRUE(renewed);
  ASSERT_TRUE(rotation_->retire(false, admin_));
  EXPECT_EQ(changes_, 2);
  const auto cas = listed();
  ASSERT_EQ(cas.size(), 1u);
  EXPECT_EQ(cas[0].satellites, 1);
  EXPECT_EQ(cas_->current()->bundle.size(), 1u);
  // The superseded certificate from the retired CA is void; the renewed one works.
  EXPECT_FALSE(view_.satellite_for_serial(old.serial));
  EXPECT_EQ(view_.satellite_for_serial(renewed->serial).value_or(""), "sat-a");
  const auto trail = resources_->events({"CertificateAuthority", ""}).value();
  ASSERT_EQ(trail.size(), 2u);
  EXPECT_EQ(trail[1].verb, "retire");
  // And the next rotation may start.
  EXPECT_TRUE(rotation_->rotate(admin_));
}

TEST_P(CaRotationServiceTest, ForcedRetirementRevokesTheCertificatesOfTheRetiredCa) {
  const auto old = enrolled("sat-a");
  ASSERT_TRUE(rotation_->rotate(admin_));
  ASSERT_TRUE(rotation_->retire(true, admin_));
  EXPECT_FALSE(view_.satellite_for_serial(old.serial));
  const auto satellite = resources_->get(Kind::kSatellite, "sat-a").value();
  EXPECT_EQ(json::parse(satellite.status)["acceptedSerials"], json::array());
  EXPECT_EQ(listed()[0].satellites, 0);
  const auto trail = resources_->events({"Satellite", "sat-a"}).value();
  EXPECT_EQ(trail.back().verb, "retire-ca");
}

TEST_P(CaRotationServiceTest, AnotherReplicaSignsWithTheRotatedCaAndSeesItOnRefresh) {
  auto other_db = open_again();
  CertificateAuthorities other(*other_db, box_, clock_);
  ASSERT_TRUE(other.refresh());
  const auto first = other.generation();
  ASSERT_TRUE(rotation_->rotate(admin_));
  const auto rotated = cas_->current()->active.fingerprint_sha256();
  EXPECT_NE(other.current()->active.fingerprint_sha256(), rotated);  // not re-read yet
  // Signing reads the CAs inside its own transaction: it never waits for a refresh, and
  // that read (the transaction may run again) changes nothing held.
  std::string signer;
  ASSERT_TRUE(other_db->transact([&](common::sql::Connection& c) -> common::Status {
    auto cas = other.current_within(c);
    if (!cas) return common::fail(cas.error());
    signer = (*cas)->active.fingerprint_sha256();
    return {};
  }));
  EXPECT_EQ(signer, rotated);
  EXPECT_EQ(other.generation(), first);
  ASSERT_TRUE(other.refresh());
  EXPECT_EQ(other.current()->active.fingerprint_sha256(), rotated);
  EXPECT_EQ(other.current()->bundle.size(), 2u);
  EXPECT_EQ(other.generation(), first + 1);
  ASSERT_TRUE(other.refresh());
  EXPECT_EQ(other.generation(), first + 1);  // nothing changed, nothing counted
}

TEST_P(CaRotationServiceTest, OfTwoRotationsAtOnceOneWinsAndTheOtherIsTold) {
  const auto before = cas_->current()->active.fingerprint_sha256();
  std::array<std::optional<common::Result<std::vector<CaSummary>>>, 2> outcomes;
  {
    std::array<std::jthread, 2> racers;
    for (std::size_t i = 0; i < racers.size(); ++i)
      racers[i] = std::jthread([&, i] { outcomes[i] = rotation_->rotate(admin_); });
  }
  const int won = (*outcomes[0] ? 1 : 0) + (*outcomes[1] ? 1 : 0);
  ASSERT_EQ(won, 1);
  const auto& lost = *outcomes[0] ? *outcomes[1] : *outcomes[0];
  EXPECT_EQ(lost.error().code(), ErrorCode::kConflict);
  const auto cas = listed();
  ASSERT_EQ(cas.size(), 2u);
  EXPECT_EQ(cas[1].fingerprint, before);  // the first CA is the previous one, not lost
}

INSTANTIATE_TEST_SUITE_P(Backends, CaRotationServiceTest, store::test::service_backends(),
                         store::test::backend_name);

}  // namespace
}  // namespace groundcontrol::service
