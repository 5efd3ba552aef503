#include <gtest/gtest.h>
#include <sys/stat.h>

#include "common/fleet_wire/satellite_config.hpp"
#include "common/fs/file_ops.hpp"
#include "common/http/pinned_ca.hpp"
#include "satellite/fleet/device_identity.hpp"
#include "testutil/temp_dir.hpp"

namespace satellite::fleet {

using common::http::fetch_pinned_ca;
using common::http::parse_fingerprint;
namespace {

using std::chrono::hours;

int mode_of(const std::string& path) {
  struct stat st {};
  ::stat(path.c_str(), &st);
  return static_cast<int>(st.st_mode & 0777);
}

TEST(DeviceIdentityTest, TheKeyIsMadeOnceOnTheDeviceAndKeptOwnerOnly) {
  testutil::TempDir dir;
  auto first = DeviceIdentity::open(dir.str() + "/identity");
  ASSERT_TRUE(first.has_value()) << first.error().message();
  EXPECT_EQ(mode_of(first->key_file()), 0600);
  EXPECT_EQ(mode_of(dir.str() + "/identity"), 0700);
  EXPECT_FALSE(first->enrolled());
  EXPECT_FALSE(first->trusts_ground_control());
  ASSERT_TRUE(first->csr_pem().has_value());
  const auto key = common::fs::read_file(first->key_file()).value();
  auto again = DeviceIdentity::open(dir.str() + "/identity");
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(common::fs::read_file(again->key_file()).value(), key);  // reused, not remade
}

TEST(DeviceIdentityTest, ACertificateForAnotherKeyIsRefused) {
  testutil::TempDir dir;
  auto identity = DeviceIdentity::open(dir.str() + "/identity").value();
  const auto stored = identity.store_certificate("not a certificate", "nor a bundle");
  ASSERT_FALSE(stored.has_value());
  EXPECT_EQ(stored.error().code(), common::ErrorCode::kInvalidArgument);
  EXPECT_FALSE(identity.enrolled());
}

TEST(DeviceIdentityTest, AnExternalIdentityPresentsItsFilesOnceBothExistAndTellsWhenTheyChange) {
  testutil::TempDir dir;
  auto identity = DeviceIdentity::open(dir.str() + "/identity").value();
  EXPECT_EQ(identity.external_stamp(), "");
  const auto cert = dir.str() + "/svid.pem";
  const auto key = dir.str() + "/svid_key.pem";
  identity.use_external(cert, key);
  EXPECT_TRUE(identity.external());
  EXPECT_EQ(identity.certificate_file(), cert);
  EXPECT_EQ(identity.key_file(), key);
  ASSERT_TRUE(common::fs::atomic_write_file(cert, "first certificate"));
  EXPECT_FALSE(identity.enrolled());  // the key is not there yet
  ASSERT_TRUE(common::fs::atomic_write_file(key, "first key"));
  EXPECT_TRUE(identity.enrolled());
  const auto first = identity.external_stamp();
  EXPECT_EQ(identity.external_stamp(), first);  // unchanged files: the same stamp
  ASSERT_TRUE(common::fs::atomic_write_file(cert, "the renewed certificate"));
  EXPECT_NE(identity.external_stamp(), first);
}

TEST(DeviceIdentityTest, RenewalIsDueAfterTwoThirdsOfTheLifetime) {
  const auto start = std::chrono::system_clock::time_point(hours(1000));
  const CertificateValidity validity{start, start + hours(30)};
  EXPECT_FALSE(needs_renewal(validity, start + hours(19)));
  EXPECT_TRUE(needs_renewal(validity, start + hours(20)));
  EXPECT_TRUE(needs_renewal(validity, start + hours(31)));
}

TEST(PinnedTrustTest, FingerprintsAreReadWithOrWithoutColons) {
  const std::string hex(64, 'a');
  EXPECT_EQ(parse_fingerprint("sha256:" + hex).value(), hex);
  std::string colons;
  for (int i = 0; i < 32; ++i) colons += (i ? ":" : "") + std::string("AA");
  EXPECT_EQ(parse_fingerprint("sha256:" + colons).value(), hex);
  for (const std::string& bad :
       {hex, "sha256:" + hex.substr(1), "sha1:" + hex, "sha256:" + std::string(64, 'g')}) {
    const auto parsed = parse_fingerprint(bad);
    ASSERT_FALSE(parsed.has_value()) << bad;
    EXPECT_NE(parsed.error().message().find("--ca-fingerprint"), std::string::npos);
  }
}

TEST(PinnedTrustTest, AnUnreachableGroundControlIsUnavailable) {
  const auto ca = fetch_pinned_ca("https://127.0.0.1:1", std::string(64, 'a'));
  ASSERT_FALSE(ca.has_value());
  EXPECT_EQ(ca.error().code(), common::ErrorCode::kUnavailable);
  EXPECT_EQ(fetch_pinned_ca("http://127.0.0.1:1", std::string(64, 'a')).error().code(),
            common::ErrorCode::kInvalidArgument);
}

TEST(SatelliteConfigTest, ReadsWhatGroundControlSendsAndKeepsDefaultsForWhatIsAbsent) {
  const auto config = common::fleet_wire::parse_satellite_config(R"({
    "apiVersion": "satellite/v1", "kind": "SatelliteConfig", "name": "edge",
    "digest": "sha256:abc", "future": {"ignored": true},
    "spec": {"statePollInterval": "120s", "heartbeatInterval": "30s",
             "upstream": {"url": "https://harbor", "username": "robot", "password": "s3cret",
                          "passwordSet": true, "insecure": false},
             "proxy": {"enabled": true, "allowedRepositories": ["library/"]},
             "runtimes": ["containerd"], "bandwidthLimit": 1048576, "syncWindow": "01:00-05:00",
             "gcGrace": "600s", "logLevel": "debug", "registry": {"serverNames": ["a"]}}})");
  ASSERT_TRUE(config.has_value()) << config.error().message();
  EXPECT_EQ(config->name, "edge");
  EXPECT_EQ(config->state_poll_interval, std::chrono::seconds(120));
  EXPECT_EQ(config->upstream_password, "s3cret");
  EXPECT_TRUE(config->proxy_enabled);
  EXPECT_EQ(config->proxy_repositories, std::vector<std::string>{"library/"});
  EXPECT_EQ(config->bandwidth_limit, 1048576u);
  EXPECT_EQ(config->gc_grace, std::chrono::seconds(600));
  EXPECT_EQ(config->registry_server_names, std::vector<std::string>{"a"});

  const auto minimal = common::fleet_wire::parse_satellite_config(R"({"spec": {}})");
  ASSERT_TRUE(minimal.has_value());
  EXPECT_EQ(minimal->heartbeat_interval, std::chrono::seconds(60));
  EXPECT_EQ(minimal->gc_grace, std::chrono::seconds(3600));
  EXPECT_TRUE(minimal->registry_server_names.empty());
}

TEST(SatelliteConfigTest, AMistypedFieldIsNamed) {
  const auto bad =
      common::fleet_wire::parse_satellite_config(R"({"spec": {"upstream": {"insecure": "yes"}}})");
  ASSERT_FALSE(bad.has_value());
  EXPECT_NE(bad.error().message().find("spec.upstream.insecure"), std::string::npos)
      << bad.error().message();
  const auto duration =
      common::fleet_wire::parse_satellite_config(R"({"spec": {"gcGrace": "soon"}})");
  ASSERT_FALSE(duration.has_value());
  EXPECT_NE(duration.error().message().find("spec.gcGrace"), std::string::npos);
  EXPECT_FALSE(common::fleet_wire::parse_satellite_config("[]").has_value());
}

}  // namespace
}  // namespace satellite::fleet
