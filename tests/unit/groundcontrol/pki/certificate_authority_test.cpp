// The CA's own certificate, load(), server certificates and validity windows. Client
// certificates: client_certificate_test.cpp. Time comes from a FakeClock throughout.
#include "groundcontrol/pki/certificate_authority.hpp"

#include <gtest/gtest.h>

#include "common/crypto/hasher.hpp"
#include "testutil/fake_clock.hpp"
#include "unit/groundcontrol/pki/test_keys.hpp"
#include "unit/groundcontrol/pki/x509_probe.hpp"

namespace groundcontrol::pki {
namespace {

using namespace std::chrono_literals;
using common::ErrorCode;
using testing::X509Probe;

constexpr std::chrono::hours kTenYears{24 * 3650};

class CertificateAuthorityTest : public ::testing::Test {
 protected:
  CertificateAuthority make_ca(std::chrono::seconds validity = kTenYears) {
    auto ca = CertificateAuthority::create("Ground Control CA", validity, clock_);
    EXPECT_TRUE(ca) << ca.error().message() << ": " << ca.error().detail();
    return std::move(*ca);
  }
  testutil::FakeClock clock_;
};

TEST_F(CertificateAuthorityTest, CreateMakesASelfSignedP256Ca) {
  const auto ca = make_ca();
  X509Probe cert(ca.cert_pem());
  EXPECT_EQ(cert.subject_cn(), "Ground Control CA");
  EXPECT_EQ(cert.issuer_cn(), "Ground Control CA");
  EXPECT_EQ(ca.subject(), "CN=Ground Control CA");
  EXPECT_TRUE(cert.signed_by(cert.public_key()));
  EXPECT_EQ(X509_get_version(cert.get()), X509_VERSION_3);
  const auto basic = cert.basic_constraints();
  EXPECT_TRUE(basic.critical);
  EXPECT_TRUE(basic.ca);
  EXPECT_EQ(basic.pathlen, 0);
  EXPECT_TRUE(cert.critical(NID_key_usage));
  EXPECT_EQ(cert.key_usage(), static_cast<std::uint32_t>(KU_KEY_CERT_SIGN | KU_CRL_SIGN));
  EXPECT_FALSE(cert.has(NID_ext_key_usage));
  EXPECT_EQ(cert.subject_key_id().size(), 20u);
  char group[32] = {};
  EVP_PKEY_get_group_name(cert.public_key(), group, sizeof group, nullptr);
  EXPECT_STREQ(group, "prime256v1");
  EXPECT_EQ(X509_get_signature_nid(cert.get()), NID_ecdsa_with_SHA256);

  const auto now = std::chrono::floor<std::chrono::seconds>(clock_.now());
  EXPECT_EQ(cert.not_before(), now - 5min);
  EXPECT_EQ(cert.not_after(), now + kTenYears);
  EXPECT_EQ(ca.not_before(), cert.not_before());
  EXPECT_EQ(ca.not_after(), cert.not_after());
}

TEST_F(CertificateAuthorityTest, FingerprintIsSha256OfTheDer) {
  const auto ca = make_ca();
  X509Probe cert(ca.cert_pem());
  unsigned char* der = nullptr;
  const int size = i2d_X509(cert.get(), &der);
  ASSERT_GT(size, 0);
  const auto expected =
      common::crypto::digest_of(std::string_view(reinterpret_cast<char*>(der), size)).hex();
  OPENSSL_free(der);
  EXPECT_EQ(ca.fingerprint_sha256(), expected);
  EXPECT_NE(make_ca().fingerprint_sha256(), expected);
}

TEST_F(CertificateAuthorityTest, CreateRefusesBadArguments) {
  EXPECT_EQ(CertificateAuthority::create("", kTenYears, clock_).error().code(),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(CertificateAuthority::create(std::string(65, 'a'), kTenYears, clock_).error().code(),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(CertificateAuthority::create("ca", 0s, clock_).error().code(),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(
      CertificateAuthority::create("ca", std::chrono::hours(24 * 365 * 101), clock_).error().code(),
      ErrorCode::kInvalidArgument);
}

TEST_F(CertificateAuthorityTest, LoadGivesBackTheSameCaThatSignsAsBefore) {
  const auto ca = make_ca();
  auto loaded = CertificateAuthority::load(ca.cert_pem(), ca.key_pem().value(), clock_);
  ASSERT_TRUE(loaded) << loaded.error().message() << ": " << loaded.error().detail();
  EXPECT_EQ(loaded->cert_pem(), ca.cert_pem());
  EXPECT_EQ(loaded->fingerprint_sha256(), ca.fingerprint_sha256());
  EXPECT_EQ(loaded->not_after(), ca.not_after());
  EXPECT_EQ(loaded->key_pem().value(), ca.key_pem().value());
  const auto device = testing::key_of("EC", "P-256");
  auto issued = loaded->sign_client_certificate(
      testing::csr_pem(device), {"sat-a", "spiffe://gc.example/satellite/sat-a", 24h});
  ASSERT_TRUE(issued) << issued.error().message();
  EXPECT_TRUE(X509Probe(issued->cert_pem).signed_by(X509Probe(ca.cert_pem()).public_key()));
}

TEST_F(CertificateAuthorityTest, LoadRefusesWhatIsNotThisCa) {
  const auto ca = make_ca();
  const auto other = make_ca();
  const auto server = ca.issue_server_certificate({"gc.example"}, {}, 24h).value();
  const auto key = ca.key_pem().value();
  struct Case {
    std::string cert, key, why;
  };
  for (const auto& [cert, key_pem, why] :
       {Case{ca.cert_pem(), other.key_pem().value(), "another CA's key"},
        Case{server.certificate.cert_pem, server.key_pem, "a leaf with its own key"},
        Case{"garbage", key, "no certificate"}, Case{ca.cert_pem(), "garbage", "no key"},
        Case{ca.cert_pem(), testing::key_of("EC", "P-256").public_key_pem().value(),
             "a public key"}}) {
    auto loaded = CertificateAuthority::load(cert, key_pem, clock_);
    ASSERT_FALSE(loaded) << why;
    EXPECT_EQ(loaded.error().code(), ErrorCode::kInvalidArgument) << why;
  }
}

TEST_F(CertificateAuthorityTest, ServerCertificateForNamesAndAddresses) {
  const auto ca = make_ca();
  auto issued =
      ca.issue_server_certificate({"gc.example", "*.gc.example"}, {"127.0.0.1", "::1"}, 24h * 90);
  ASSERT_TRUE(issued) << issued.error().message() << ": " << issued.error().detail();
  X509Probe cert(issued->certificate.cert_pem);
  EXPECT_EQ(cert.subject_cn(), "gc.example");
  EXPECT_EQ(cert.sans(GEN_DNS), (std::vector<std::string>{"gc.example", "*.gc.example"}));
  EXPECT_EQ(cert.sans(GEN_IPADD),
            (std::vector<std::string>{std::string("\x7f\0\0\x01", 4),
                                      std::string(15, '\0') + std::string("\x01", 1)}));
  EXPECT_EQ(cert.sans(GEN_URI), std::vector<std::string>{});
  EXPECT_EQ(cert.extended_key_usage(), std::vector<int>{NID_server_auth});
  EXPECT_EQ(cert.key_usage(), static_cast<std::uint32_t>(KU_DIGITAL_SIGNATURE));
  EXPECT_FALSE(cert.basic_constraints().ca);
  EXPECT_EQ(X509_check_host(cert.get(), "api.gc.example", 0, 0, nullptr), 1);
  EXPECT_EQ(X509_check_ip_asc(cert.get(), "127.0.0.1", 0), 1);
  EXPECT_EQ(X509_check_ip_asc(cert.get(), "10.0.0.1", 0), 0);
  // The key that comes with it is the certificate's, and fresh each time.
  auto key = common::crypto::KeyPair::from_pem(issued->key_pem);
  ASSERT_TRUE(key);
  EXPECT_EQ(X509_check_private_key(cert.get(), key->native()), 1);
  EXPECT_NE(ca.issue_server_certificate({"gc.example"}, {}, 24h)->key_pem, issued->key_pem);
  EXPECT_EQ(issued->chain_pem, issued->certificate.cert_pem + ca.cert_pem());
  X509Probe ca_cert(ca.cert_pem());
  EXPECT_EQ(testing::verify_chain(cert, ca_cert, X509_PURPOSE_SSL_SERVER, clock_.now()), X509_V_OK);
  EXPECT_NE(testing::verify_chain(cert, ca_cert, X509_PURPOSE_SSL_CLIENT, clock_.now()), X509_V_OK);
}

TEST_F(CertificateAuthorityTest, ServerCertificateForAnAddressOnly) {
  const auto ca = make_ca();
  const auto issued = ca.issue_server_certificate({}, {"10.1.2.3"}, 24h).value();
  X509Probe cert(issued.certificate.cert_pem);
  EXPECT_EQ(cert.subject_cn(), "10.1.2.3");
  EXPECT_EQ(cert.san_count(), 1);
}

TEST_F(CertificateAuthorityTest, ServerCertificateRefusesBadNames) {
  const auto ca = make_ca();
  for (const auto& [dns, ips] :
       std::vector<std::pair<std::vector<std::string>, std::vector<std::string>>>{
           {{}, {}},
           {{"bad name"}, {}},
           {{"-dash.example"}, {}},
           {{"a..b"}, {}},
           {{"x.example,DNS:evil.example"}, {}},
           {{"*"}, {}},
           {{"a.*.example"}, {}},
           {{std::string(64, 'a') + ".example"}, {}},
           {{}, {"256.1.1.1"}},
           {{"ok.example"}, {"not-an-ip"}}}) {
    auto issued = ca.issue_server_certificate(dns, ips, 24h);
    ASSERT_FALSE(issued) << (dns.empty() ? "" : dns[0]);
    EXPECT_EQ(issued.error().code(), ErrorCode::kInvalidArgument);
  }
  EXPECT_EQ(ca.issue_server_certificate({"gc.example"}, {}, 0s).error().code(),
            ErrorCode::kInvalidArgument);
}

TEST_F(CertificateAuthorityTest, CertificatesNeverOutliveTheCa) {
  const auto ca = make_ca(48h);
  const auto issued = ca.issue_server_certificate({"gc.example"}, {}, 24h * 365).value();
  EXPECT_EQ(issued.certificate.not_after, ca.not_after());
  // A validity too large for the clock's nanoseconds is capped, not overflowed.
  const auto huge = ca.issue_server_certificate({"gc.example"}, {}, std::chrono::seconds::max());
  ASSERT_TRUE(huge);
  EXPECT_EQ(huge->certificate.not_after, ca.not_after());
  // Once the CA has expired it issues nothing.
  clock_.advance(48h);
  auto expired = ca.issue_server_certificate({"gc.example"}, {}, 24h);
  ASSERT_FALSE(expired);
  EXPECT_EQ(expired.error().code(), ErrorCode::kUnavailable);
}

TEST_F(CertificateAuthorityTest, TimeComesFromTheClock) {
  const auto ca = make_ca();
  const auto first = ca.issue_server_certificate({"gc.example"}, {}, 24h).value();
  clock_.advance(24h * 7 + 30s);
  const auto later = ca.issue_server_certificate({"gc.example"}, {}, 24h).value();
  EXPECT_EQ(later.certificate.not_before - first.certificate.not_before, 24h * 7 + 30s);
  const auto now = std::chrono::floor<std::chrono::seconds>(clock_.now());
  EXPECT_EQ(later.certificate.not_before, now - 5min);
  EXPECT_EQ(later.certificate.not_after, now + 24h);
}

}  // namespace
}  // namespace groundcontrol::pki
