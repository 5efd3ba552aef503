// ServingCertificateService on both engines and with every transaction replayed: a
// satellite's registry certificate names exactly what its config lists (not what the CSR
// asks), follows the config when it changes, is signed by the CA active at that moment
// (also after a rotation), is never one of the satellite's identities, and is in the audit
// trail once per issue; no names, no satellite and a bad CSR are refused with their codes.
#include "groundcontrol/service/serving_certificate_service.hpp"

#include <gtest/gtest.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <nlohmann/json.hpp>

#include "groundcontrol/model/kind.hpp"
#include "groundcontrol/pki/ca_bundle.hpp"
#include "groundcontrol/service/ca_rotation_service.hpp"
#include "service/enrollment_fixture.hpp"
#include "unit/groundcontrol/pki/x509_probe.hpp"

namespace groundcontrol::service {
namespace {

using namespace std::chrono_literals;
using common::ErrorCode;
using model::Kind;
using nlohmann::json;
using pki::testing::X509Probe;

using test::csr_for;

class ServingCertificateServiceTest : public test::EnrollmentFixture {
 protected:
  void SetUp() override {
    EnrollmentFixture::SetUp();
    if (HasFatalFailure()) return;
    serving_.emplace(*db_, clock_, *cas_, 24h * 30);
    ASSERT_TRUE(resources_->create(
        Kind::kSatelliteConfig,
        {{"metadata", {{"name", "site"}}}, {"spec", {{"registry", {{"serverNames", kNames}}}}}},
        admin_));
    identity_ = enrolled("sat-a", {{"config", "site"}});
  }

  std::size_t serving_events() {
    auto events = resources_->events({"Satellite", "sat-a", 0, 500});
    EXPECT_TRUE(events);
    std::size_t count = 0;
    for (const auto& event : events.value_or(std::vector<store::Event>{}))
      if (event.verb == "serving-certificate") ++count;
    return count;
  }

  const std::vector<std::string> kNames = {"registry.site.example", "10.0.0.5", "fd00::5"};
  std::optional<ServingCertificateService> serving_;
  Enrollment identity_;
};

TEST_P(ServingCertificateServiceTest, NamesExactlyWhatTheConfigListsAndIsNoIdentity) {
  auto issued = serving_->issue("sat-a", csr_for("evil.example"));
  ASSERT_TRUE(issued) << issued.error().message() << ": " << issued.error().detail();
  EXPECT_EQ(issued->satellite, "sat-a");
  EXPECT_EQ(issued->names, kNames);
  X509Probe cert(issued->certificate_pem);
  X509Probe ca(cas_->current()->active.cert_pem());
  EXPECT_EQ(cert.subject_cn(), "registry.site.example");
  EXPECT_EQ(cert.sans(GEN_DNS), std::vector<std::string>{"registry.site.example"});
  EXPECT_EQ(cert.sans(GEN_IPADD).size(), 2u);
  EXPECT_EQ(cert.san_count(), 3);
  EXPECT_EQ(cert.extended_key_usage(), std::vector<int>{NID_server_auth});
  EXPECT_EQ(pki::testing::verify_chain(cert, ca, X509_PURPOSE_SSL_SERVER, clock_.now()), X509_V_OK);
  EXPECT_EQ(cert.not_after(), std::chrono::floor<std::chrono::seconds>(clock_.now()) + 24h * 30);
  EXPECT_EQ(issued->ca_bundle_pem, identity_.ca_bundle_pem);
  EXPECT_EQ(issued->not_after, identity_.not_after);
  EXPECT_NE(issued->serial, identity_.serial);

  // Not an identity: the satellite is still known by its client certificate alone.
  EXPECT_FALSE(view_.satellite_for_serial(issued->serial));
  EXPECT_EQ(view_.satellite_for_serial(identity_.serial).value_or(""), "sat-a");
  EXPECT_EQ(serving_events(), 1u);  // once, however often the transaction ran
}

TEST_P(ServingCertificateServiceTest, FollowsTheConfigWhenItsNamesChange) {
  ASSERT_TRUE(resources_->patch(Kind::kSatelliteConfig, "site",
                                {{"spec", {{"registry", {{"serverNames", {"10.9.9.9"}}}}}}},
                                admin_));
  auto issued = serving_->issue("sat-a", csr_for("sat-a"));
  ASSERT_TRUE(issued) << issued.error().message();
  EXPECT_EQ(issued->names, std::vector<std::string>{"10.9.9.9"});
  X509Probe cert(issued->certificate_pem);
  EXPECT_EQ(cert.subject_cn(), "10.9.9.9");
  EXPECT_EQ(cert.sans(GEN_DNS), std::vector<std::string>{});
  EXPECT_EQ(cert.san_count(), 1);
}

TEST_P(ServingCertificateServiceTest, IsSignedByTheCaActiveAtThatMoment) {
  CaRotationService rotation(*db_, clock_, box_, *cas_, *enrollment_, *sync_, "gc.example", [] {});
  ASSERT_TRUE(rotation.rotate(admin_));
  ASSERT_TRUE(cas_->refresh());
  auto issued = serving_->issue("sat-a", csr_for("sat-a"));
  ASSERT_TRUE(issued) << issued.error().message();
  X509Probe cert(issued->certificate_pem);
  EXPECT_TRUE(cert.signed_by(X509Probe(cas_->current()->active.cert_pem()).public_key()));
  EXPECT_FALSE(cert.signed_by(X509Probe(cas_->current()->previous->cert_pem()).public_key()));
  EXPECT_EQ(pki::CaBundle::parse(issued->ca_bundle_pem)->fingerprints().size(), 2u);
}

TEST_P(ServingCertificateServiceTest, NoNamesIsAConflictSayingWhatToSet) {
  ASSERT_TRUE(resources_->create(
      Kind::kSatellite, {{"metadata", {{"name", "sat-b"}}}, {"spec", json::object()}}, admin_));
  auto issued = serving_->issue("sat-b", csr_for("sat-b"));
  ASSERT_FALSE(issued);
  EXPECT_EQ(issued.error().code(), ErrorCode::kConflict);
  EXPECT_NE(issued.error().message().find("\"default\" lists no spec.registry.serverNames"),
            std::string::npos)
      << issued.error().message();
  EXPECT_EQ(serving_events(), 0u);
}

TEST_P(ServingCertificateServiceTest, RefusesABadCsrAndAnUnknownSatellite) {
  auto bad = serving_->issue("sat-a", "garbage");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code(), ErrorCode::kInvalidArgument);
  auto unknown = serving_->issue("sat-x", csr_for("sat-x"));
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code(), ErrorCode::kNotFound);
  EXPECT_EQ(serving_events(), 0u);
}

INSTANTIATE_TEST_SUITE_P(Backends, ServingCertificateServiceTest, store::test::service_backends(),
                         store::test::backend_name);

}  // namespace
}  // namespace groundcontrol::service
