#include "common/crypto/certificate_request.hpp"

#include <gtest/gtest.h>

namespace common::crypto {
namespace {

TEST(CertificateRequestTest, PemRoundTripKeepsCnAndKeyAndSignature) {
  const auto key = KeyPair::generate_p256().value();
  auto csr = CertificateRequest::create(key, "satellite-a");
  ASSERT_TRUE(csr) << csr.error().message();
  const auto pem = csr->pem().value();
  EXPECT_TRUE(pem.starts_with("-----BEGIN CERTIFICATE REQUEST-----\n")) << pem;

  auto parsed = CertificateRequest::from_pem(pem);
  ASSERT_TRUE(parsed) << parsed.error().message();
  EXPECT_EQ(parsed->common_name(), "satellite-a");
  EXPECT_TRUE(parsed->signature_valid());
  ASSERT_NE(parsed->public_key(), nullptr);
  EXPECT_EQ(EVP_PKEY_eq(parsed->public_key(), key.native()), 1);
  EXPECT_EQ(X509_REQ_get_version(parsed->native()), 0);
  EXPECT_EQ(X509_REQ_get_signature_nid(parsed->native()), NID_ecdsa_with_SHA256);
}

TEST(CertificateRequestTest, Utf8CommonName) {
  const auto key = KeyPair::generate_p256().value();
  const auto csr = CertificateRequest::create(key, "gr\xc3\xbcn-edge").value();
  EXPECT_EQ(CertificateRequest::from_pem(csr.pem().value())->common_name(), "gr\xc3\xbcn-edge");
}

TEST(CertificateRequestTest, RefusesABadCommonName) {
  const auto key = KeyPair::generate_p256().value();
  for (const std::string& bad : {std::string(), std::string(65, 'a'), std::string("a\0b", 3)})
    EXPECT_EQ(CertificateRequest::create(key, bad).error().code(), ErrorCode::kInvalidArgument);
  EXPECT_TRUE(CertificateRequest::create(key, std::string(64, 'a')));
}

TEST(CertificateRequestTest, ASwappedKeyFailsTheSignature) {
  const auto key = KeyPair::generate_p256().value();
  const auto other = KeyPair::generate_p256().value();
  auto csr = CertificateRequest::from_pem(CertificateRequest::create(key, "a")->pem().value());
  ASSERT_TRUE(csr);
  // Someone swaps in a public key whose private half they do not hold.
  ASSERT_EQ(X509_REQ_set_pubkey(csr->native(), other.native()), 1);
  auto reparsed = CertificateRequest::from_pem(csr->pem().value());
  ASSERT_TRUE(reparsed);
  EXPECT_FALSE(reparsed->signature_valid());
}

TEST(CertificateRequestTest, FromPemRefusesWhatIsNotACsr) {
  const auto key = KeyPair::generate_p256().value();
  for (const std::string& bad :
       {std::string(),
        std::string("-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n"
                    "-----END CERTIFICATE REQUEST-----\n"),
        key.public_key_pem().value(), std::string(CertificateRequest::kMaxPemBytes + 1, 'A')}) {
    auto csr = CertificateRequest::from_pem(bad);
    ASSERT_FALSE(csr);
    EXPECT_EQ(csr.error().code(), ErrorCode::kInvalidArgument);
  }
}

}  // namespace
}  // namespace common::crypto
