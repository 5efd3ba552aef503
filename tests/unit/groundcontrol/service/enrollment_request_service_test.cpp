// EnrollmentRequestService on both engines: a device asks without a token, an admin
// approves (the Satellite, its certificate and the request's status in one step) or
// denies; a name asks once; pending requests are capped.
#include "groundcontrol/service/enrollment_request_service.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "groundcontrol/model/kind.hpp"
#include "service/enrollment_fixture.hpp"

namespace groundcontrol::service {
namespace {

using common::ErrorCode;
using model::Kind;
using nlohmann::json;

using test::csr_for;

model::EnrollmentSubmission submission(const std::string& name, std::string csr,
                                       model::Labels labels = {}) {
  model::EnrollmentSubmission out;
  out.name = name;
  out.spec.csr = std::move(csr);
  out.spec.labels = std::move(labels);
  return out;
}

class EnrollmentRequestServiceTest : public test::EnrollmentFixture {
 protected:
  void SetUp() override {
    EnrollmentFixture::SetUp();
    if (HasFatalFailure()) return;
    requests_.emplace(*db_, clock_, *enrollment_, *sync_, uids(), EnrollmentRequestConfig{2});
  }
  static json status_of(const store::Resource& r) { return json::parse(r.status); }
  std::vector<store::Event> events_of(const std::string& kind, const std::string& name) {
    return resources_->events({kind, name}).value_or(std::vector<store::Event>{});
  }

  std::optional<EnrollmentRequestService> requests_;
  const Actor device_{"device:192.0.2.7"};
};

TEST_P(EnrollmentRequestServiceTest, AnApprovedRequestBecomesASatelliteWithItsCertificate) {
  const auto csr = csr_for("sat-new");
  auto submitted = requests_->submit(submission("sat-new", csr, {{"site", "berlin"}}), device_);
  ASSERT_TRUE(submitted) << submitted.error().message();
  EXPECT_TRUE(submitted->created);
  EXPECT_EQ(status_of(submitted->request)["phase"], "Pending");
  EXPECT_EQ(submitted->request.meta.labels.at("site"), "berlin");
  EXPECT_EQ(resources_->get(Kind::kSatellite, "sat-new").error().code(), ErrorCode::kNotFound);

  auto approved = requests_->decide(
      "sat-new", {true, {{"tier", "edge"}, {"site", "munich"}}, "checked on site"}, admin_);
  ASSERT_TRUE(approved) << approved.error().message();
  const auto status = status_of(*approved);
  EXPECT_EQ(status["phase"], "Approved");
  EXPECT_EQ(status["approval"]["decidedBy"], "user:admin");
  EXPECT_EQ(status["approval"]["labels"], json({{"site", "munich"}, {"tier", "edge"}}));
  EXPECT_EQ(status["ca"], cas_->current()->active.cert_pem());
  EXPECT_EQ(status["caBundle"], cas_->current()->bundle.pem());
  EXPECT_TRUE(status["certificate"].get<std::string>().starts_with("-----BEGIN CERTIFICATE"));

  auto satellite = resources_->get(Kind::kSatellite, "sat-new");
  ASSERT_TRUE(satellite);
  EXPECT_EQ(satellite->meta.labels, (model::Labels{{"site", "munich"}, {"tier", "edge"}}));
  const auto serial = status["serial"].get<std::string>();
  EXPECT_EQ(status_of(*satellite)["certificate"]["serial"], serial);
  // The view trusts the certificate as for a token enrollment, and revocation voids it.
  EXPECT_EQ(view_.satellite_for_serial(serial).value_or(""), "sat-new");
  ASSERT_TRUE(enrollment_->revoke("sat-new", admin_));
  EXPECT_FALSE(view_.satellite_for_serial(serial));

  const auto trail = events_of("EnrollmentRequest", "sat-new");
  ASSERT_EQ(trail.size(), 2u);
  EXPECT_EQ(trail[0].verb, "request");
  EXPECT_EQ(trail[0].actor, "device:192.0.2.7");
  EXPECT_EQ(trail[1].verb, "approve");
  EXPECT_EQ(trail[1].actor, "user:admin");
  EXPECT_EQ(trail[1].message, "checked on site");

  auto again = requests_->decide("sat-new", {true, {}, ""}, admin_);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code(), ErrorCode::kConflict);
}

TEST_P(EnrollmentRequestServiceTest, ANameAsksOnceAndOnlyItsOwnRetryIsAnswered) {
  const auto csr = csr_for("sat-a");
  ASSERT_TRUE(requests_->submit(submission("sat-a", csr), device_));
  auto retry = requests_->submit(submission("sat-a", csr), device_);
  ASSERT_TRUE(retry);
  EXPECT_FALSE(retry->created);
  auto hijack = requests_->submit(submission("sat-a", csr_for("sat-a")), device_);
  ASSERT_FALSE(hijack);
  EXPECT_EQ(hijack.error().code(), ErrorCode::kAlreadyExists);

  ASSERT_TRUE(
      resources_->create(Kind::kSatellite, json{{"metadata", {{"name", "sat-b"}}}}, admin_));
  auto taken = requests_->submit(submission("sat-b", csr_for("sat-b")), device_);
  ASSERT_FALSE(taken);
  EXPECT_EQ(taken.error().code(), ErrorCode::kAlreadyExists);

  auto denied = requests_->decide("sat-a", {false, {}, "not one of ours"}, admin_);
  ASSERT_TRUE(denied);
  EXPECT_EQ(status_of(*denied)["phase"], "Denied");
  EXPECT_EQ(status_of(*denied)["approval"]["reason"], "not one of ours");
  EXPECT_EQ(resources_->get(Kind::kSatellite, "sat-a").error().code(), ErrorCode::kNotFound);
  EXPECT_EQ(requests_->submit(submission("sat-a", csr), device_).error().code(),
            ErrorCode::kAlreadyExists);
  // Deleting the request lets the name ask again.
  ASSERT_TRUE(resources_->remove(Kind::kEnrollmentRequest, "sat-a", 0, admin_));
  EXPECT_TRUE(requests_->submit(submission("sat-a", csr), device_));
}

TEST_P(EnrollmentRequestServiceTest, PendingRequestsAreCappedAndBadCsrsNeverStored) {
  ASSERT_TRUE(requests_->submit(submission("sat-1", csr_for("sat-1")), device_));
  ASSERT_TRUE(requests_->submit(submission("sat-2", csr_for("sat-2")), device_));
  auto third = requests_->submit(submission("sat-3", csr_for("sat-3")), device_);
  ASSERT_FALSE(third);
  EXPECT_EQ(third.error().code(), ErrorCode::kTooManyRequests);
  ASSERT_TRUE(requests_->decide("sat-1", {false, {}, ""}, admin_));  // decided: no longer waits
  EXPECT_TRUE(requests_->submit(submission("sat-3", csr_for("sat-3")), device_));
  ASSERT_TRUE(resources_->remove(Kind::kEnrollmentRequest, "sat-2", 0, admin_));
  EXPECT_TRUE(requests_->submit(submission("sat-4", csr_for("sat-4")), device_));

  auto garbage =
      requests_->submit(submission("sat-5", "-----BEGIN CERTIFICATE REQUEST-----"), device_);
  ASSERT_FALSE(garbage);
  EXPECT_EQ(garbage.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_TRUE(garbage.error().message().starts_with("csr:")) << garbage.error().message();
  EXPECT_EQ(resources_->get(Kind::kEnrollmentRequest, "sat-5").error().code(),
            ErrorCode::kNotFound);

  auto pending = resources_->list(Kind::kEnrollmentRequest, {"", "status.phase=Pending", 10, ""});
  ASSERT_TRUE(pending) << pending.error().message();
  std::vector<std::string> names;
  for (const auto& item : pending->items) names.push_back(item.meta.name);
  EXPECT_EQ(names, (std::vector<std::string>{"sat-3", "sat-4"}));
}

TEST_P(EnrollmentRequestServiceTest, AnApprovalRefusesANameASatelliteTookMeanwhile) {
  ASSERT_TRUE(requests_->submit(submission("sat-late", csr_for("sat-late")), device_));
  ASSERT_TRUE(
      resources_->create(Kind::kSatellite, json{{"metadata", {{"name", "sat-late"}}}}, admin_));
  auto approved = requests_->decide("sat-late", {true, {}, ""}, admin_);
  ASSERT_FALSE(approved);
  EXPECT_EQ(approved.error().code(), ErrorCode::kAlreadyExists);
  // Nothing moved: the request still waits, the satellite has no certificate.
  EXPECT_EQ(status_of(*resources_->get(Kind::kEnrollmentRequest, "sat-late"))["phase"], "Pending");
  EXPECT_FALSE(status_of(*resources_->get(Kind::kSatellite, "sat-late")).contains("certificate"));
}

INSTANTIATE_TEST_SUITE_P(Backends, EnrollmentRequestServiceTest, store::test::service_backends(),
                         store::test::backend_name);

}  // namespace
}  // namespace groundcontrol::service
