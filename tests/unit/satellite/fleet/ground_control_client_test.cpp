// GroundControlClient, DeviceIdentity and the fingerprint pin against the real
// ground-control binary (GROUND_CONTROL_BIN): enrollment by token and by an approved or
// denied request, the state with its ETag and the long-poll, the config, heartbeats,
// status reports, renewal and revocation.
#include "satellite/fleet/ground_control_client.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <thread>

#include "common/fs/file_ops.hpp"
#include "common/http/pinned_ca.hpp"
#include "common/log/logger.hpp"
#include "satellite/fleet/ground_control_source.hpp"
#include "unit/satellite/fleet/ground_control_process.hpp"

namespace satellite::fleet {

using common::http::fetch_pinned_ca;
using common::http::parse_fingerprint;
namespace {

using common::ErrorCode;
using namespace std::chrono_literals;
using nlohmann::json;
using testing::GroundControlProcess;

constexpr auto kDigest1 = "sha256:6a2f8b28e45c4adea04ec207a251fd4a2df03ddc930f782af51e315ebc76e9a9";
constexpr auto kDigest2 = "sha256:14c426f3dc89970649e2376577484e3d3f55930b6838dd78addab166c50a557d";

json group_state(std::initializer_list<const char*> digests) {
  json artifacts = json::array();
  for (const auto* digest : digests)
    artifacts.push_back({{"repository", "library/nginx"},
                         {"digest", digest},
                         {"tag", {"latest"}},
                         {"type", "IMAGE"},
                         {"deleted", false}});
  return {{"registry", "harbor"}, {"artifacts", artifacts}};
}

unsigned mode_of(const std::string& path) {
  struct stat info {};
  EXPECT_EQ(::stat(path.c_str(), &info), 0) << path;
  return info.st_mode & 0777;
}

class GroundControlClientTest : public ::testing::Test {
 protected:
  // A device in its own directory trusting gc's CA file.
  DeviceIdentity device(const std::string& name) {
    auto identity = DeviceIdentity::open(gc_.dir().str() + "/" + name + "/identity").value();
    EXPECT_TRUE(identity.store_trust(common::fs::read_file(gc_.ca_file()).value()));
    return identity;
  }
  std::unique_ptr<GroundControlClient> client_of(const DeviceIdentity& identity) {
    return GroundControlClient::create(gc_.satellite_url(), identity).value();
  }
  // Satellite `name` created (with `labels`) and enrolled with its token.
  DeviceIdentity enrolled(const std::string& name, const json& labels = json::object()) {
    const auto token = gc_.create_satellite(name, labels);
    auto identity = device(name);
    auto enrollment = client_of(identity)->enroll(token, identity.csr_pem().value());
    EXPECT_TRUE(enrollment) << enrollment.error().message();
    EXPECT_TRUE(identity.store_certificate(enrollment->certificate_pem, enrollment->ca_bundle_pem));
    return identity;
  }
  std::string serial_of(const std::string& name) {
    return gc_.call("GET", "/api/v1/satellites/" + name)["status"]["certificate"]["serial"];
  }

  GroundControlProcess gc_;
};

TEST_F(GroundControlClientTest, ATokenEnrollsOnceAndTheIdentityFilesAreOwnerOnly) {
  const auto token = gc_.create_satellite("sat-token");
  auto identity = device("sat-token");
  auto enrollment = client_of(identity)->enroll(token, identity.csr_pem().value());
  ASSERT_TRUE(enrollment) << enrollment.error().message();
  EXPECT_EQ(enrollment->satellite, "sat-token");
  ASSERT_TRUE(identity.store_certificate(enrollment->certificate_pem, enrollment->ca_bundle_pem));
  for (const auto& file : {identity.key_file(), identity.certificate_file(), identity.ca_file()})
    EXPECT_EQ(mode_of(file), 0600u) << file;
  // The spent token is refused, with what to do.
  auto other = device("sat-token-2");
  auto refused = client_of(other)->enroll(token, other.csr_pem().value());
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code(), ErrorCode::kUnauthenticated);
  EXPECT_NE(refused.error().message().find("ask an admin for a new one"), std::string::npos)
      << refused.error().message();
}

TEST_F(GroundControlClientTest, APinMatchesGroundControlsCaAndAWrongPinIsRefused) {
  const auto pin = parse_fingerprint(gc_.ca_fingerprint()).value();
  auto ca = fetch_pinned_ca(gc_.satellite_url(), pin);
  ASSERT_TRUE(ca) << ca.error().message();
  auto identity = DeviceIdentity::open(gc_.dir().str() + "/pinned/identity").value();
  ASSERT_TRUE(identity.store_trust(*ca));
  // The pinned CA verifies ground control: enrollment over it succeeds.
  const auto token = gc_.create_satellite("pinned");
  EXPECT_TRUE(client_of(identity)->enroll(token, identity.csr_pem().value()));
  auto wrong = fetch_pinned_ca(gc_.satellite_url(), std::string(64, 'a'));
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.error().code(), ErrorCode::kPermissionDenied);
}

TEST_F(GroundControlClientTest, TheStateComesWithItsEtagAndALongPollWaitsThenAnswersNotModified) {
  auto identity = enrolled("sat-state");
  auto client = client_of(identity);
  auto first = client->get_state("", 0s, {});
  ASSERT_TRUE(first) << first.error().message();
  ASSERT_TRUE(first->state);
  EXPECT_EQ(first->state->satellite, "sat-state");
  EXPECT_EQ(first->etag, "\"" + first->state->state_digest + "\"");
  EXPECT_GT(first->poll_after.count(), 0);
  const auto began = std::chrono::steady_clock::now();
  auto held = client->get_state(first->etag, 2s, {});
  const auto took = std::chrono::steady_clock::now() - began;
  ASSERT_TRUE(held) << held.error().message();
  EXPECT_FALSE(held->state);
  EXPECT_GE(took, 1900ms);
  EXPECT_LT(took, 5s);
}

TEST_F(GroundControlClientTest, ALongPollAnswersWithinSecondsWhenAnAdminChangesTheGroup) {
  gc_.call("POST", "/api/v1/groups",
           json{{"metadata", {{"name", "edge"}}},
                {"spec", {{"selector", {{"matchLabels", {{"tier", "edge"}}}}}}}});
  gc_.call("PUT", "/api/v1/groups/edge/state", group_state({kDigest1}));
  auto identity = enrolled("sat-poll", {{"tier", "edge"}});
  auto client = client_of(identity);
  const auto etag = client->get_state("", 0s, {})->etag;
  std::jthread admin([&] {
    std::this_thread::sleep_for(300ms);
    gc_.call("PUT", "/api/v1/groups/edge/state", group_state({kDigest1, kDigest2}));
  });
  const auto began = std::chrono::steady_clock::now();
  auto changed = client->get_state(etag, 60s, {});
  const auto took = std::chrono::steady_clock::now() - began;
  ASSERT_TRUE(changed) << changed.error().message();
  ASSERT_TRUE(changed->state);
  EXPECT_EQ(changed->state->artifacts.size(), 2u);
  EXPECT_NE(changed->etag, etag);
  EXPECT_LT(took, 2500ms);
}

TEST_F(GroundControlClientTest, TheConfigHeartbeatsAndStatusReportsGoThrough) {
  gc_.call("PATCH", "/api/v1/satelliteconfigs/default",
           json{{"spec",
                 {{"heartbeatInterval", "2m"},
                  {"upstream",
                   {{"url", "https://harbor.example"},
                    {"username", "robot$edge"},
                    {"password", "s3cret"}}}}}},
           "application/merge-patch+json");
  auto identity = enrolled("sat-report");
  auto client = client_of(identity);
  auto config = client->get_config();
  ASSERT_TRUE(config) << config.error().message();
  EXPECT_EQ(config->heartbeat_interval, 120s);
  EXPECT_EQ(config->upstream_url, "https://harbor.example");
  EXPECT_EQ(config->upstream_password, "s3cret");
  const auto state = client->get_state("", 0s, {})->state.value();
  auto answer = client->heartbeat({.version = "0.1", .state_digest = state.state_digest});
  ASSERT_TRUE(answer) << answer.error().message();
  EXPECT_TRUE(answer->in_sync);
  common::fleet_wire::StatusReport report{.state_digest = state.state_digest};
  report.artifacts.push_back({.repository = "library/nginx",
                              .digest = common::Digest::parse(kDigest1).value(),
                              .phase = common::fleet_wire::ArtifactPhase::kFailed,
                              .reason = "upstream unreachable"});
  ASSERT_TRUE(client->report_status(report));
  json shown;  // reports are written in batches, about once a second
  for (auto deadline = std::chrono::steady_clock::now() + 5s;
       std::chrono::steady_clock::now() < deadline; std::this_thread::sleep_for(100ms)) {
    shown = gc_.call("GET", "/api/v1/satellites/sat-report")["status"];
    if (shown.contains("report")) break;
  }
  ASSERT_TRUE(shown.contains("report")) << shown.dump();
  EXPECT_EQ(shown["report"]["artifacts"][0]["reason"], "upstream unreachable");
}

TEST_F(GroundControlClientTest, RenewalGivesANewSerialAndRevocationIsToldOnEveryCall) {
  auto identity = enrolled("sat-renew");
  const auto before = serial_of("sat-renew");
  auto renewed = client_of(identity)->renew(identity.csr_pem().value());
  ASSERT_TRUE(renewed) << renewed.error().message();
  ASSERT_TRUE(identity.store_certificate(renewed->certificate_pem, renewed->ca_bundle_pem));
  EXPECT_NE(serial_of("sat-renew"), before);
  auto client = client_of(identity);  // a new client presents the new certificate
  ASSERT_TRUE(client->get_state("", 0s, {}));

  gc_.call("POST", "/api/v1/satellites/sat-renew/revoke");
  client = client_of(identity);
  const auto expect_revoked = [](const common::Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::kUnauthenticated);
    EXPECT_NE(error.message().find("revoked or unknown; ask an admin for a new token"),
              std::string::npos)
        << error.message();
  };
  expect_revoked(client->get_state("", 0s, {}).error());
  expect_revoked(client->get_config().error());
  expect_revoked(client->heartbeat({}).error());
  expect_revoked(client->report_status({}).error());
  expect_revoked(client->renew(identity.csr_pem().value()).error());
}

TEST_F(GroundControlClientTest, AnApprovedRequestCarriesACertificateForTheDevicesKey) {
  auto identity = device("sat-asks");
  auto client = client_of(identity);
  const auto csr = identity.csr_pem().value();
  ASSERT_TRUE(client->request_enrollment("sat-asks", csr, {{"site", "berlin"}}));
  EXPECT_TRUE(client->request_enrollment("sat-asks", csr, {{"site", "berlin"}}));  // a retry
  EXPECT_EQ(client->enrollment_request_status("sat-asks")->phase, "Pending");
  gc_.call("POST", "/api/v1/enrollmentrequests/sat-asks/approval", json{{"approved", true}});
  auto approved = client->enrollment_request_status("sat-asks");
  ASSERT_TRUE(approved) << approved.error().message();
  ASSERT_EQ(approved->phase, "Approved");
  ASSERT_TRUE(identity.store_certificate(approved->enrollment.certificate_pem,
                                         approved->enrollment.ca_bundle_pem));
  EXPECT_TRUE(client_of(identity)->get_state("", 0s, {}));
}

TEST_F(GroundControlClientTest, ADeniedRequestSaysWhy) {
  auto identity = device("sat-denied");
  auto client = client_of(identity);
  ASSERT_TRUE(client->request_enrollment("sat-denied", identity.csr_pem().value(), {}));
  gc_.call("POST", "/api/v1/enrollmentrequests/sat-denied/approval",
           json{{"approved", false}, {"reason", "not ours"}});
  auto denied = client->enrollment_request_status("sat-denied");
  ASSERT_TRUE(denied) << denied.error().message();
  EXPECT_EQ(denied->phase, "Denied");
  EXPECT_EQ(denied->reason, "not ours");
}

TEST_F(GroundControlClientTest,
       ASatelliteRestartedWhileItsRequestWaitsPollsItInsteadOfAskingAgain) {
  const auto dir = gc_.dir().str() + "/sat-restart/identity";
  common::SystemClock clock;
  GroundControlOptions options{.url = gc_.satellite_url(),
                               .request_name = "sat-restart",
                               .ca_file = gc_.ca_file(),
                               .wait = 0s};
  const auto next = [&] {
    auto identity = DeviceIdentity::open(dir).value();  // a new process: a new CSR
    GroundControlSource source(
        options, identity, [](const auto&) {}, clock, common::log::null_logger());
    return source.next("", {});
  };
  auto waiting = next();
  ASSERT_FALSE(waiting);
  EXPECT_NE(waiting.error().message().find("waits for an admin's approval"), std::string::npos)
      << waiting.error().message();
  auto again = next();
  ASSERT_FALSE(again);
  EXPECT_NE(again.error().message().find("waits for an admin's approval"), std::string::npos)
      << again.error().message();
  gc_.call("POST", "/api/v1/enrollmentrequests/sat-restart/approval", json{{"approved", true}});
  auto state = next();
  ASSERT_TRUE(state) << state.error().message();
  ASSERT_TRUE(*state);
  EXPECT_EQ((*state)->satellite, "sat-restart");
}

}  // namespace
}  // namespace satellite::fleet
