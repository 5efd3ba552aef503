// ServingCertificateKeeper against ground control's real CA (groundcontrol::pki) standing in
// for the servingcertificate call, on a fake clock: when a certificate is asked for (none,
// other names, two thirds of its life), what is stored and reused, and the back-off.
#include "satellite/fleet/serving_certificate_keeper.hpp"

#include <gtest/gtest.h>
#include <spdlog/sinks/null_sink.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>

#include "common/fs/file_ops.hpp"
#include "groundcontrol/pki/certificate_authority.hpp"
#include "testutil/fake_clock.hpp"
#include "testutil/temp_dir.hpp"

namespace satellite::fleet {
namespace {

using namespace std::chrono_literals;
using common::ErrorCode;

int mode_of(const std::string& path) {
  struct stat st {};
  ::stat(path.c_str(), &st);
  return static_cast<int>(st.st_mode & 0777);
}

class ServingCertificateKeeperTest : public ::testing::Test {
 protected:
  ServingCertificateKeeperTest()
      : ca_(groundcontrol::pki::CertificateAuthority::create("GC CA", 24h * 3650, clock_).value()) {
    common::fs::make_dirs(dir_.str() + "/identity").value();
  }

  ServingCertificateKeeper open() {
    auto keeper = ServingCertificateKeeper::open(dir_.str() + "/identity", clock_, logger_,
                                                 agent::RetryPolicy{10s, 60s}, [] { return 1.0; });
    EXPECT_TRUE(keeper.has_value()) << keeper.error().message();
    return std::move(*keeper);
  }

  // Ground control: a certificate for exactly the names `served` lists, as the config does.
  ServingCertificateKeeper::Issue ground_control() {
    return [this](const std::string& csr) -> common::Result<Enrollment> {
      ++asks_;
      if (!reachable_) return common::fail(ErrorCode::kUnavailable, "ground control is down");
      groundcontrol::pki::ServerCertRequest request{served_.front(), {}, {}, 30h};
      for (const auto& name : served_)
        (name.find_first_not_of("0123456789.:") == std::string::npos ? request.ip_addresses
                                                                     : request.dns_names)
            .push_back(name);
      auto issued = ca_.sign_server_certificate(csr, request);
      if (!issued) return common::fail(issued.error());
      return Enrollment{"site-1", issued->cert_pem, ca_.cert_pem()};
    };
  }

  ServingCertificateKeeper::Installed count_installs() {
    return [this](const ServingFiles&) { ++installs_; };
  }

  testutil::TempDir dir_;
  testutil::FakeClock clock_;
  common::log::Logger logger_ =
      std::make_shared<spdlog::logger>("test", std::make_shared<spdlog::sinks::null_sink_mt>());
  groundcontrol::pki::CertificateAuthority ca_;
  std::vector<std::string> served_{"localhost", "127.0.0.1"};
  bool reachable_ = true;
  int asks_ = 0;
  int installs_ = 0;
};

TEST_F(ServingCertificateKeeperTest, NothingIsAskedForWithoutNames) {
  auto keeper = open();
  EXPECT_EQ(keeper.due(), ServingDue::kNo);
  EXPECT_FALSE(keeper.maintain(ground_control(), count_installs()).value());
  EXPECT_EQ(asks_, 0);
  EXPECT_FALSE(keeper.has_certificate());
}

TEST_F(ServingCertificateKeeperTest, TheCertificateIsStoredOwnerOnlyAndReusedAfterARestart) {
  {
    auto keeper = open();
    keeper.set_names(served_);
    EXPECT_EQ(keeper.due(), ServingDue::kMissing);
    ASSERT_TRUE(keeper.maintain(ground_control(), count_installs()).value());
    EXPECT_EQ(installs_, 1);
    EXPECT_EQ(keeper.certificate_names(), served_);
    EXPECT_EQ(keeper.due(), ServingDue::kNo);
    for (const auto& file :
         {keeper.files().key_file, keeper.files().certificate_file, keeper.files().ca_file})
      EXPECT_EQ(mode_of(file), 0600) << file;
    EXPECT_EQ(common::fs::read_file(keeper.files().ca_file).value(), ca_.cert_pem());
  }
  reachable_ = false;
  auto again = open();
  ASSERT_TRUE(again.has_certificate());
  EXPECT_EQ(again.certificate_names(), served_);
  again.set_names({"127.0.0.1", "LOCALHOST"});  // the same set
  EXPECT_EQ(again.due(), ServingDue::kNo);
  EXPECT_FALSE(again.maintain(ground_control(), count_installs()).value());
  EXPECT_EQ(asks_, 1);
}

TEST_F(ServingCertificateKeeperTest, RenewsOnceTwoThirdsOfItsLifeHavePassed) {
  auto keeper = open();
  keeper.set_names(served_);
  ASSERT_TRUE(keeper.maintain(ground_control(), count_installs()).value());
  const auto first = common::fs::read_file(keeper.files().certificate_file).value();
  // Valid from 5 minutes ago until 30 h from now: due two thirds on, just under 20 h from now.
  clock_.advance(19h);
  EXPECT_EQ(keeper.due(), ServingDue::kNo);
  EXPECT_FALSE(keeper.maintain(ground_control(), count_installs()).value());
  clock_.advance(1h + 1min);
  EXPECT_EQ(keeper.due(), ServingDue::kRenewal);
  ASSERT_TRUE(keeper.maintain(ground_control(), count_installs()).value());
  EXPECT_NE(common::fs::read_file(keeper.files().certificate_file).value(), first);
  EXPECT_EQ(keeper.due(), ServingDue::kNo);
  EXPECT_EQ(installs_, 2);
}

TEST_F(ServingCertificateKeeperTest, OtherNamesAskForANewCertificate) {
  auto keeper = open();
  keeper.set_names(served_);
  ASSERT_TRUE(keeper.maintain(ground_control(), count_installs()).value());
  served_ = {"registry.site-1.example", "10.0.0.5"};
  keeper.set_names(served_);
  EXPECT_EQ(keeper.due(), ServingDue::kNamesChanged);
  ASSERT_TRUE(keeper.maintain(ground_control(), count_installs()).value());
  EXPECT_EQ(keeper.certificate_names(), served_);
  EXPECT_EQ(keeper.due(), ServingDue::kNo);
}

TEST_F(ServingCertificateKeeperTest, FailuresBackOffExponentiallyUpToTheCapAndNewNamesAskAtOnce) {
  auto keeper = open();
  keeper.set_names(served_);
  reachable_ = false;
  EXPECT_EQ(keeper.maintain(ground_control(), count_installs()).error().code(),
            ErrorCode::kUnavailable);
  EXPECT_EQ(asks_, 1);
  // The jitter gives the whole ceiling: 10 s, then 20 s, 40 s, then the 60 s cap.
  for (const auto pause : {10s, 20s, 40s, 60s, 60s}) {
    clock_.advance(pause - 1s);
    EXPECT_FALSE(keeper.maintain(ground_control(), count_installs()).value());
    const int before = asks_;
    clock_.advance(1s);
    EXPECT_FALSE(keeper.maintain(ground_control(), count_installs()).has_value());
    EXPECT_EQ(asks_, before + 1) << "after " << pause.count() << " s";
  }
  reachable_ = true;
  served_ = {"localhost"};
  keeper.set_names(served_);  // a config change: no waiting out the back-off
  ASSERT_TRUE(keeper.maintain(ground_control(), count_installs()).value());
  EXPECT_EQ(keeper.certificate_names(), served_);
}

TEST_F(ServingCertificateKeeperTest, ACertificateForAnotherKeyIsRefusedAndNothingIsStored) {
  auto keeper = open();
  keeper.set_names(served_);
  const auto other = ca_.issue_server_certificate({"localhost"}, {}, 30h).value();
  const auto wrong = keeper.maintain(
      [&](const std::string&) -> common::Result<Enrollment> {
        return Enrollment{"site-1", other.certificate.cert_pem, ca_.cert_pem()};
      },
      count_installs());
  ASSERT_FALSE(wrong.has_value());
  EXPECT_EQ(wrong.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_FALSE(keeper.has_certificate());
  EXPECT_EQ(installs_, 0);
  EXPECT_EQ(keeper.due(), ServingDue::kMissing);
}

TEST(SameNamesTest, OrderAndCaseOfHostNamesDoNotMatter) {
  EXPECT_TRUE(same_names({"a.example", "10.0.0.1"}, {"10.0.0.1", "A.example"}));
  EXPECT_FALSE(same_names({"a.example"}, {"a.example", "10.0.0.1"}));
  EXPECT_FALSE(same_names({"a.example"}, {"b.example"}));
}

}  // namespace
}  // namespace satellite::fleet
