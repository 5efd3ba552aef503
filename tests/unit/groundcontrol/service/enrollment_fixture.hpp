// EnrollmentFixture: where the service suites about satellites' certificates start, on
// every backend (StoreTest): ground control's first CA made and held, the fleet view
// loaded, the default config, an EnrollmentService for the trust domain gc.example, and
// enrolled() to make a satellite and enroll it. csr_for() makes a device's key and CSR.
#pragma once

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "common/crypto/certificate_request.hpp"
#include "common/crypto/key_pair.hpp"
#include "common/crypto/secret_box.hpp"
#include "common/log/logger.hpp"
#include "groundcontrol/model/kind.hpp"
#include "groundcontrol/service/certificate_authorities.hpp"
#include "groundcontrol/service/enrollment_service.hpp"
#include "groundcontrol/service/fleet_sync.hpp"
#include "groundcontrol/service/fleet_view.hpp"
#include "groundcontrol/service/resource_service.hpp"
#include "store/store_test_support.hpp"
#include "testutil/fake_clock.hpp"

namespace groundcontrol::service::test {

// A CSR for a new P-256 key, subject CN=`name`.
inline std::string csr_for(const std::string& name) {
  const auto key = common::crypto::KeyPair::generate_p256().value();
  return common::crypto::CertificateRequest::create(key, name).value().pem().value();
}

class EnrollmentFixture : public store::test::StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    if (HasFatalFailure()) return;
    cas_.emplace(*db_, box_, clock_);
    ASSERT_TRUE(cas_->create_if_absent("gc.example"));
    ASSERT_TRUE(cas_->refresh());
    sync_.emplace(*db_, view_, common::log::null_logger());
    ASSERT_TRUE(sync_->load());
    resources_.emplace(*db_, clock_, *sync_, uids());
    ASSERT_TRUE(resources_->ensure_default_config());
    enrollment_.emplace(*db_, clock_, *cas_, *sync_, EnrollmentConfig{"gc.example"});
  }

  // Resources' uids: "uid-1", "uid-2", … across every service that makes them.
  UidSource uids() {
    return [this] { return "uid-" + std::to_string(++uids_); };
  }

  // Makes satellite `name` with `spec` and enrolls it; its enrollment.
  Enrollment enrolled(const std::string& name,
                      const nlohmann::json& spec = nlohmann::json::object()) {
    auto made = resources_->create(model::Kind::kSatellite,
                                   {{"metadata", {{"name", name}}}, {"spec", spec}}, admin_);
    EXPECT_TRUE(made) << made.error().message();
    auto token = enrollment_->issue_token(name, admin_);
    EXPECT_TRUE(token);
    auto done = enrollment_->enroll(token->token, csr_for(name));
    EXPECT_TRUE(done) << done.error().message();
    return std::move(*done);
  }

  testutil::FakeClock clock_;
  const common::crypto::SecretBox box_{common::crypto::MasterKey::generate()};
  std::optional<CertificateAuthorities> cas_;
  FleetView view_;
  std::optional<FleetSync> sync_;
  std::optional<ResourceService> resources_;
  std::optional<EnrollmentService> enrollment_;
  int uids_ = 0;
  const Actor admin_{"user:admin"};
};

}  // namespace groundcontrol::service::test
