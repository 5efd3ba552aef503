#include "groundcontrol/pki/ca_bundle.hpp"

#include <gtest/gtest.h>

#include "groundcontrol/pki/certificate_authority.hpp"
#include "testutil/fake_clock.hpp"

namespace groundcontrol::pki {
namespace {

using namespace std::chrono_literals;
using common::ErrorCode;

class CaBundleTest : public ::testing::Test {
 protected:
  CaBundleTest()
      : old_(CertificateAuthority::create("CA 2026", 24h * 365, clock_).value()),
        new_(CertificateAuthority::create("CA 2027", 24h * 365, clock_).value()) {}
  testutil::FakeClock clock_;
  CertificateAuthority old_;
  CertificateAuthority new_;
};

TEST_F(CaBundleTest, HoldsEachCaOnceInOrder) {
  auto bundle = CaBundle::parse(old_.cert_pem() + new_.cert_pem() + old_.cert_pem());
  ASSERT_TRUE(bundle) << bundle.error().message();
  EXPECT_EQ(bundle->size(), 2u);
  EXPECT_EQ(bundle->fingerprints(),
            (std::vector<std::string>{old_.fingerprint_sha256(), new_.fingerprint_sha256()}));
  EXPECT_EQ(bundle->pem(), old_.cert_pem() + new_.cert_pem());
  EXPECT_TRUE(bundle->contains(new_.fingerprint_sha256()));
}

TEST_F(CaBundleTest, RotationAddsTheNewCaThenRemovesTheOld) {
  auto bundle = CaBundle::parse(old_.cert_pem()).value();
  ASSERT_TRUE(bundle.add(new_.cert_pem()));
  ASSERT_TRUE(bundle.add(new_.cert_pem()));  // again: no change
  EXPECT_EQ(bundle.size(), 2u);
  EXPECT_TRUE(bundle.remove(old_.fingerprint_sha256()));
  EXPECT_FALSE(bundle.remove(old_.fingerprint_sha256()));
  EXPECT_EQ(bundle.pem(), new_.cert_pem());
  // What it writes, it reads back the same.
  EXPECT_EQ(CaBundle::parse(bundle.pem())->fingerprints(), bundle.fingerprints());
}

TEST_F(CaBundleTest, MergeKeepsOrderAndDropsDuplicates) {
  auto a = CaBundle::parse(old_.cert_pem()).value();
  const auto b = CaBundle::parse(new_.cert_pem() + old_.cert_pem()).value();
  a.merge(b);
  EXPECT_EQ(a.fingerprints(),
            (std::vector<std::string>{old_.fingerprint_sha256(), new_.fingerprint_sha256()}));
  CaBundle empty;
  EXPECT_TRUE(empty.empty());
  empty.merge(a);
  EXPECT_EQ(empty.pem(), a.pem());
}

TEST_F(CaBundleTest, TextAroundBlocksAndOtherBlocksAreLeftOut) {
  const auto text = "# trust for site 12\n" + old_.cert_pem() + "\nsome note\n" +
                    new_.key_pem().value() + new_.cert_pem();
  auto bundle = CaBundle::parse(text);
  ASSERT_TRUE(bundle) << bundle.error().message() << ": " << bundle.error().detail();
  EXPECT_EQ(bundle->pem(), old_.cert_pem() + new_.cert_pem());  // and never the key
}

TEST_F(CaBundleTest, RefusesWhatIsNotABundleOfCas) {
  const auto leaf = old_.issue_server_certificate({"gc.example"}, {}, 24h).value();
  std::string broken = new_.cert_pem();
  broken[broken.size() / 2] = '!';
  for (const std::string& bad :
       {std::string(), std::string("no pem here"), old_.cert_pem() + leaf.certificate.cert_pem,
        old_.cert_pem() + broken, std::string(1024 * 1024 + 1, 'x')}) {
    auto bundle = CaBundle::parse(bad);
    ASSERT_FALSE(bundle) << bad.substr(0, 80);
    EXPECT_EQ(bundle.error().code(), ErrorCode::kInvalidArgument);
  }
  // A failed add leaves the bundle as it was.
  auto bundle = CaBundle::parse(old_.cert_pem()).value();
  EXPECT_FALSE(bundle.add(new_.cert_pem() + leaf.certificate.cert_pem));
  EXPECT_EQ(bundle.pem(), old_.cert_pem());
}

}  // namespace
}  // namespace groundcontrol::pki
