// RegistryStateSource keeps the upstream credentials ground control gave (0600), so a
// satellite restarted while ground control is out of reach still reads private state
// repositories and pulls with them; a damaged file is ignored, never fatal.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include "common/fs/file_ops.hpp"
#include "common/log/logger.hpp"
#include "satellite/fleet/registry_state_source.hpp"
#include "testutil/fake_clock.hpp"
#include "testutil/temp_dir.hpp"

namespace satellite::fleet {
namespace {

class RegistryStateCredentialsTest : public ::testing::Test {
 protected:
  std::unique_ptr<RegistryStateSource> open() {
    auto source = RegistryStateSource::open(
        {dir_.str(), std::chrono::seconds(1), "", credentials_file()}, [](const auto&) {}, [] {},
        clock_, common::log::null_logger());
    EXPECT_TRUE(source) << source.error().message();
    return source ? std::move(*source) : nullptr;
  }
  std::string credentials_file() const { return dir_.str() + "/upstream-credentials.json"; }

  testutil::TempDir dir_;
  testutil::FakeClock clock_;
};

TEST_F(RegistryStateCredentialsTest, CredentialsGivenBeforeARestartAreKnownAfterIt) {
  common::fleet_wire::SatelliteConfig config;
  config.digest = "sha256:1";
  config.upstream_url = "https://harbor.example";
  config.upstream_username = "robot$site-1";
  config.upstream_password = "s3cret";
  open()->note_config(config);
  struct stat st {};
  ASSERT_EQ(::stat(credentials_file().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600);

  const auto restarted = open()->upstream_credentials();
  EXPECT_EQ(restarted.upstream_url, "https://harbor.example");
  EXPECT_EQ(restarted.upstream_username, "robot$site-1");
  EXPECT_EQ(restarted.upstream_password, "s3cret");
}

TEST_F(RegistryStateCredentialsTest, ADamagedCredentialsFileIsIgnored) {
  ASSERT_TRUE(common::fs::atomic_write_file(credentials_file(), "{not json"));
  ::chmod(credentials_file().c_str(), 0600);
  const auto source = open();
  ASSERT_TRUE(source);
  EXPECT_EQ(source->upstream_credentials().upstream_username, "");
}

}  // namespace
}  // namespace satellite::fleet
