// CertificateAuthority::sign_client_certificate: every field of the certificate a
// satellite gets, read back with OpenSSL; what the CSR asks for is ignored; bad CSRs and
// refused key types; time from a FakeClock.
#include <gtest/gtest.h>

#include <set>

#include "groundcontrol/pki/certificate_authority.hpp"
#include "testutil/fake_clock.hpp"
#include "unit/groundcontrol/pki/test_keys.hpp"
#include "unit/groundcontrol/pki/x509_probe.hpp"

namespace groundcontrol::pki {
namespace {

using namespace std::chrono_literals;
using common::ErrorCode;
using testing::X509Probe;

constexpr std::string_view kSpiffe = "spiffe://gc.example/satellite/store-0042";

class ClientCertificateTest : public ::testing::Test {
 protected:
  ClientCertificateTest()
      : ca_(CertificateAuthority::create("Ground Control CA", 24h * 3650, clock_).value()),
        device_(testing::key_of("EC", "P-256")) {}

  common::Result<IssuedCertificate> sign(const std::string& csr,
                                         std::chrono::seconds validity = 24h * 30) {
    return ca_.sign_client_certificate(csr, {"store-0042", std::string(kSpiffe), validity});
  }

  testutil::FakeClock clock_;
  CertificateAuthority ca_;
  common::crypto::KeyPair device_;
};

TEST_F(ClientCertificateTest, HasExactlyTheFieldsTheCaDecides) {
  auto issued = sign(testing::csr_pem(device_, "store-0042"));
  ASSERT_TRUE(issued) << issued.error().message() << ": " << issued.error().detail();
  X509Probe cert(issued->cert_pem);
  X509Probe ca_cert(ca_.cert_pem());

  EXPECT_EQ(cert.subject_cn(), "store-0042");
  EXPECT_EQ(cert.subject_entries(), 1);
  EXPECT_EQ(cert.issuer_cn(), "Ground Control CA");
  EXPECT_EQ(cert.sans(GEN_URI), std::vector<std::string>{std::string(kSpiffe)});
  EXPECT_EQ(cert.san_count(), 1);
  EXPECT_FALSE(cert.critical(NID_subject_alt_name));
  const auto basic = cert.basic_constraints();
  EXPECT_TRUE(basic.critical);
  EXPECT_FALSE(basic.ca);
  EXPECT_TRUE(cert.critical(NID_key_usage));
  EXPECT_EQ(cert.key_usage(), static_cast<std::uint32_t>(KU_DIGITAL_SIGNATURE));
  EXPECT_EQ(cert.extended_key_usage(), std::vector<int>{NID_client_auth});
  EXPECT_EQ(cert.subject_key_id().size(), 20u);
  EXPECT_EQ(cert.authority_key_id(), ca_cert.subject_key_id());
  EXPECT_EQ(EVP_PKEY_eq(cert.public_key(), device_.native()), 1);
  EXPECT_TRUE(cert.signed_by(ca_cert.public_key()));
  EXPECT_EQ(X509_get_version(cert.get()), X509_VERSION_3);

  // Validity: from five minutes ago (edge clocks run behind) for the asked-for time.
  const auto now = std::chrono::floor<std::chrono::seconds>(clock_.now());
  EXPECT_EQ(cert.not_before(), now - 5min);
  EXPECT_EQ(cert.not_after(), now + 24h * 30);
  EXPECT_EQ(issued->not_before, cert.not_before());
  EXPECT_EQ(issued->not_after, cert.not_after());

  // A TLS server checking it for client auth accepts it within its validity window only.
  EXPECT_EQ(testing::verify_chain(cert, ca_cert, X509_PURPOSE_SSL_CLIENT, clock_.now()), X509_V_OK);
  EXPECT_EQ(testing::verify_chain(cert, ca_cert, X509_PURPOSE_SSL_CLIENT, clock_.now() - 4min),
            X509_V_OK);
  EXPECT_EQ(testing::verify_chain(cert, ca_cert, X509_PURPOSE_SSL_CLIENT, clock_.now() - 6min),
            X509_V_ERR_CERT_NOT_YET_VALID);
  EXPECT_EQ(testing::verify_chain(cert, ca_cert, X509_PURPOSE_SSL_CLIENT, clock_.now() + 24h * 31),
            X509_V_ERR_CERT_HAS_EXPIRED);
  EXPECT_NE(testing::verify_chain(cert, ca_cert, X509_PURPOSE_SSL_SERVER, clock_.now()), X509_V_OK);
}

TEST_F(ClientCertificateTest, SerialIsPositive128BitHexAsPeerIdentityPrintsIt) {
  std::set<std::string> serials;
  for (int i = 0; i < 20; ++i) {
    const auto issued = sign(testing::csr_pem(device_)).value();
    X509Probe cert(issued.cert_pem);
    EXPECT_FALSE(cert.serial_negative());
    const std::string bytes = cert.serial_bytes();
    ASSERT_EQ(bytes.size(), 16u);
    EXPECT_NE(static_cast<unsigned char>(bytes[0]) & 0x80, 0);
    // Lowercase hex of the same bytes, no leading zeros to drop: the top bit is set.
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string hex;
    for (unsigned char c : bytes) hex += {kDigits[c >> 4], kDigits[c & 15]};
    EXPECT_EQ(issued.serial_hex, hex);
    serials.insert(issued.serial_hex);
  }
  EXPECT_EQ(serials.size(), 20u);
}

TEST_F(ClientCertificateTest, IgnoresEverythingTheCsrAsksFor) {
  const auto csr = testing::greedy_csr_pem(
      device_, "admin",
      {{NID_subject_alt_name, "DNS:evil.example,URI:spiffe://gc.example/admin,IP:10.0.0.1"},
       {NID_basic_constraints, "critical,CA:TRUE"},
       {NID_key_usage, "keyCertSign,cRLSign,digitalSignature"},
       {NID_ext_key_usage, "serverAuth,codeSigning,clientAuth"}});
  auto issued = sign(csr);
  ASSERT_TRUE(issued) << issued.error().message() << ": " << issued.error().detail();
  X509Probe cert(issued->cert_pem);
  EXPECT_EQ(cert.subject_cn(), "store-0042");
  EXPECT_EQ(cert.sans(GEN_URI), std::vector<std::string>{std::string(kSpiffe)});
  EXPECT_EQ(cert.sans(GEN_DNS), std::vector<std::string>{});
  EXPECT_EQ(cert.san_count(), 1);
  EXPECT_FALSE(cert.basic_constraints().ca);
  EXPECT_EQ(cert.key_usage(), static_cast<std::uint32_t>(KU_DIGITAL_SIGNATURE));
  EXPECT_EQ(cert.extended_key_usage(), std::vector<int>{NID_client_auth});
  EXPECT_EQ(X509_get_ext_count(cert.get()), 6);  // BC, KU, EKU, SKI, AKI, SAN
}

TEST_F(ClientCertificateTest, RefusesACsrWhoseSignatureDoesNotVerify) {
  // The public key swapped for one the sender does not hold, the signature left as it was.
  auto csr = common::crypto::CertificateRequest::from_pem(testing::csr_pem(device_)).value();
  const auto stranger = testing::key_of("EC", "P-256");
  ASSERT_EQ(X509_REQ_set_pubkey(csr.native(), stranger.native()), 1);
  auto issued = sign(csr.pem().value());
  ASSERT_FALSE(issued);
  EXPECT_EQ(issued.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(issued.error().message().find("signature"), std::string::npos);
}

TEST_F(ClientCertificateTest, RefusesWhatIsNotACsr) {
  for (const std::string& bad :
       {std::string(), std::string("garbage"), ca_.cert_pem(), device_.public_key_pem().value(),
        std::string(
            "-----BEGIN CERTIFICATE REQUEST-----\nMIIB\n-----END CERTIFICATE REQUEST-----\n")}) {
    auto issued = sign(bad);
    ASSERT_FALSE(issued) << bad;
    EXPECT_EQ(issued.error().code(), ErrorCode::kInvalidArgument);
  }
}

TEST_F(ClientCertificateTest, AcceptsEcP256P384AndRsaFrom2048) {
  for (const auto& [type, parameter] : std::vector<std::pair<std::string, std::string>>{
           {"EC", "P-256"}, {"EC", "P-384"}, {"RSA", "2048"}}) {
    const auto key = testing::key_of(type, parameter);
    auto issued = sign(testing::csr_pem(key));
    ASSERT_TRUE(issued) << type << parameter << ": " << issued.error().message();
    X509Probe cert(issued->cert_pem);
    EXPECT_EQ(EVP_PKEY_eq(cert.public_key(), key.native()), 1);
    const std::uint32_t expected =
        type == "RSA" ? KU_DIGITAL_SIGNATURE | KU_KEY_ENCIPHERMENT : KU_DIGITAL_SIGNATURE;
    EXPECT_EQ(cert.key_usage(), expected) << type;
  }
}

TEST_F(ClientCertificateTest, RefusesOtherKeyTypesAndSizes) {
  for (const auto& [type, parameter] : std::vector<std::pair<std::string, std::string>>{
           {"RSA", "1024"}, {"ED25519", ""}, {"EC", "secp256k1"}, {"EC", "P-521"}}) {
    auto issued = sign(testing::csr_pem(testing::key_of(type, parameter)));
    ASSERT_FALSE(issued) << type << parameter;
    EXPECT_EQ(issued.error().code(), ErrorCode::kInvalidArgument) << type << parameter;
  }
}

TEST_F(ClientCertificateTest, RefusesABadRequest) {
  const auto csr = testing::csr_pem(device_);
  for (const ClientCertRequest& bad :
       {ClientCertRequest{"", std::string(kSpiffe), 24h},
        ClientCertRequest{std::string(65, 'a'), std::string(kSpiffe), 24h},
        ClientCertRequest{"a", "https://gc.example/satellite/a", 24h},
        ClientCertRequest{"a", "spiffe://gc.example", 24h},
        ClientCertRequest{"a", "spiffe://gc.example/a,DNS:evil", 24h},
        ClientCertRequest{"a", std::string(kSpiffe), 0s},
        ClientCertRequest{"a", std::string(kSpiffe), -1s}}) {
    auto issued = ca_.sign_client_certificate(csr, bad);
    ASSERT_FALSE(issued) << bad.name << " " << bad.spiffe_id;
    EXPECT_EQ(issued.error().code(), ErrorCode::kInvalidArgument);
  }
}

TEST_F(ClientCertificateTest, AnExpiredCaSignsNothing) {
  clock_.advance(24h * 3650);
  auto issued = sign(testing::csr_pem(device_));
  ASSERT_FALSE(issued);
  EXPECT_EQ(issued.error().code(), ErrorCode::kUnavailable);
}

}  // namespace
}  // namespace groundcontrol::pki
