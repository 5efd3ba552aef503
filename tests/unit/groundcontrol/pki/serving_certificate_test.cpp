// CertificateAuthority::sign_server_certificate: the certificate a satellite's local
// registry serves with, read back with OpenSSL: exactly the names asked for by ground
// control whatever the CSR asks, serverAuth only (a TLS server accepts it as a client
// never), the CSR's key checked as for client certificates.
#include <gtest/gtest.h>

#include <arpa/inet.h>

#include "groundcontrol/pki/certificate_authority.hpp"
#include "testutil/fake_clock.hpp"
#include "unit/groundcontrol/pki/test_keys.hpp"
#include "unit/groundcontrol/pki/x509_probe.hpp"

namespace groundcontrol::pki {
namespace {

using namespace std::chrono_literals;
using common::ErrorCode;
using testing::X509Probe;

std::string address_bytes(int family, const char* text) {
  unsigned char bytes[16] = {};
  EXPECT_EQ(inet_pton(family, text, bytes), 1) << text;
  return {reinterpret_cast<const char*>(bytes), family == AF_INET ? 4u : 16u};
}

class ServingCertificateTest : public ::testing::Test {
 protected:
  ServingCertificateTest()
      : ca_(CertificateAuthority::create("Ground Control CA", 24h * 3650, clock_).value()),
        device_(testing::key_of("EC", "P-256")) {}

  testutil::FakeClock clock_;
  CertificateAuthority ca_;
  common::crypto::KeyPair device_;
  const ServerCertRequest request_{"registry.site-1.example",
                                   {"registry.site-1.example", "site-1"},
                                   {"10.0.0.5", "fd00::5"},
                                   24h * 30};
};

TEST_F(ServingCertificateTest, CarriesExactlyTheNamesAskedForWhateverTheCsrSays) {
  const auto csr = testing::greedy_csr_pem(
      device_, "evil.example",
      {{NID_subject_alt_name, "DNS:evil.example,URI:spiffe://gc.example/satellite/x,IP:1.2.3.4"},
       {NID_basic_constraints, "critical,CA:TRUE"},
       {NID_ext_key_usage, "serverAuth,clientAuth"}});
  auto issued = ca_.sign_server_certificate(csr, request_);
  ASSERT_TRUE(issued) << issued.error().message() << ": " << issued.error().detail();
  X509Probe cert(issued->cert_pem);
  X509Probe ca_cert(ca_.cert_pem());

  EXPECT_EQ(cert.subject_cn(), "registry.site-1.example");
  EXPECT_EQ(cert.subject_entries(), 1);
  EXPECT_EQ(cert.sans(GEN_DNS), (std::vector<std::string>{"registry.site-1.example", "site-1"}));
  EXPECT_EQ(cert.sans(GEN_IPADD), (std::vector<std::string>{address_bytes(AF_INET, "10.0.0.5"),
                                                            address_bytes(AF_INET6, "fd00::5")}));
  EXPECT_EQ(cert.sans(GEN_URI), std::vector<std::string>{});
  EXPECT_EQ(cert.san_count(), 4);
  EXPECT_FALSE(cert.basic_constraints().ca);
  EXPECT_EQ(cert.key_usage(), static_cast<std::uint32_t>(KU_DIGITAL_SIGNATURE));
  EXPECT_EQ(cert.extended_key_usage(), std::vector<int>{NID_server_auth});
  EXPECT_EQ(EVP_PKEY_eq(cert.public_key(), device_.native()), 1);
  EXPECT_TRUE(cert.signed_by(ca_cert.public_key()));
  const auto now = std::chrono::floor<std::chrono::seconds>(clock_.now());
  EXPECT_EQ(cert.not_before(), now - 5min);
  EXPECT_EQ(cert.not_after(), now + 24h * 30);

  // A TLS client accepts it from a server; a TLS server never takes it from a client.
  EXPECT_EQ(testing::verify_chain(cert, ca_cert, X509_PURPOSE_SSL_SERVER, clock_.now()), X509_V_OK);
  EXPECT_NE(testing::verify_chain(cert, ca_cert, X509_PURPOSE_SSL_CLIENT, clock_.now()), X509_V_OK);
}

TEST_F(ServingCertificateTest, AnAddressAloneIsItsCommonName) {
  auto issued = ca_.sign_server_certificate(testing::csr_pem(device_),
                                            {"192.168.1.10", {}, {"192.168.1.10"}, 24h});
  ASSERT_TRUE(issued) << issued.error().message();
  X509Probe cert(issued->cert_pem);
  EXPECT_EQ(cert.subject_cn(), "192.168.1.10");
  EXPECT_EQ(cert.sans(GEN_IPADD), std::vector<std::string>{address_bytes(AF_INET, "192.168.1.10")});
  EXPECT_EQ(cert.san_count(), 1);
}

TEST_F(ServingCertificateTest, RsaKeysAlsoEncipher) {
  const auto key = testing::key_of("RSA", "2048");
  auto issued = ca_.sign_server_certificate(testing::csr_pem(key), request_);
  ASSERT_TRUE(issued) << issued.error().message();
  EXPECT_EQ(X509Probe(issued->cert_pem).key_usage(),
            static_cast<std::uint32_t>(KU_DIGITAL_SIGNATURE | KU_KEY_ENCIPHERMENT));
}

TEST_F(ServingCertificateTest, RefusesWhatTheClientCertificateRefuses) {
  for (const std::string& bad :
       {std::string("garbage"), testing::csr_pem(testing::key_of("RSA", "1024")),
        testing::csr_pem(testing::key_of("ED25519"))}) {
    auto issued = ca_.sign_server_certificate(bad, request_);
    ASSERT_FALSE(issued);
    EXPECT_EQ(issued.error().code(), ErrorCode::kInvalidArgument);
  }
  const auto csr = testing::csr_pem(device_);
  for (const ServerCertRequest& bad :
       {ServerCertRequest{"x", {}, {}, 24h}, ServerCertRequest{"-x", {"-x"}, {}, 24h},
        ServerCertRequest{"x", {"x"}, {"10.0.0.300"}, 24h},
        ServerCertRequest{"x", {"x"}, {}, 0s}}) {
    auto issued = ca_.sign_server_certificate(csr, bad);
    ASSERT_FALSE(issued) << bad.common_name;
    EXPECT_EQ(issued.error().code(), ErrorCode::kInvalidArgument);
  }
  clock_.advance(24h * 3650);
  auto expired = ca_.sign_server_certificate(csr, request_);
  ASSERT_FALSE(expired);
  EXPECT_EQ(expired.error().code(), ErrorCode::kUnavailable);
}

}  // namespace
}  // namespace groundcontrol::pki
