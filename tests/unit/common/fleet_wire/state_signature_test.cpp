#include "common/fleet_wire/state_signature.hpp"

#include <gtest/gtest.h>

#include <string>

#include "common/crypto/cosign_signature.hpp"

namespace common::fleet_wire {
namespace {

constexpr std::string_view kIdentity = "127.0.0.1:5000/satellite/group-state/edge/state";

Digest digest_of_char(char c) {
  return Digest::from_hex(DigestAlgorithm::kSha256, std::string(64, c));
}

struct Keys {
  crypto::CosignKey old_key = crypto::CosignKey::generate().value();
  crypto::CosignKey new_key = crypto::CosignKey::generate().value();
  crypto::CosignKey stranger = crypto::CosignKey::generate().value();
  TrustedKeys trust(std::initializer_list<const crypto::CosignKey*> keys) {
    std::vector<std::string> pems;
    for (const auto* key : keys) pems.push_back(key->public_key_pem().value());
    return TrustedKeys::from_pems(pems).value();
  }
};

std::string refusal(const Status& status) {
  EXPECT_FALSE(status);
  if (status) return {};
  EXPECT_EQ(status.error().code(), ErrorCode::kPermissionDenied);
  return status.error().message();
}

TEST(StateSignatureTest, RegistryHostIsTheUrlsAuthority) {
  EXPECT_EQ(registry_host("http://127.0.0.1:5000").value(), "127.0.0.1:5000");
  EXPECT_EQ(registry_host("https://harbor.example/").value(), "harbor.example");
  EXPECT_FALSE(registry_host("harbor.example"));
  EXPECT_FALSE(registry_host("https://harbor.example/v2"));
  EXPECT_EQ(state_identity("h:1", "satellite/x/state"), "h:1/satellite/x/state");
}

TEST(StateSignatureTest, SignatureIsCosignsSimpleSigningOverTheManifestDigest) {
  Keys keys;
  const auto digest = digest_of_char('a');
  const auto signed_state = sign_state(keys.old_key, kIdentity, digest).value();
  EXPECT_EQ(signed_state.payload, crypto::simple_signing_payload(kIdentity, digest).value());
  EXPECT_TRUE(crypto::verify_signature(keys.old_key.public_key().value(), signed_state.payload,
                                       signed_state.signature));
  EXPECT_TRUE(
      verify_state_signatures(keys.trust({&keys.old_key}), kIdentity, digest, {signed_state}));
}

TEST(StateSignatureTest, AnyTrustedKeyOfTheSetVerifiesSoKeysRotate) {
  Keys keys;
  const auto digest = digest_of_char('a');
  const auto by_new = sign_state(keys.new_key, kIdentity, digest).value();
  EXPECT_TRUE(verify_state_signatures(keys.trust({&keys.old_key, &keys.new_key}), kIdentity, digest,
                                      {by_new}));
  EXPECT_NE(
      refusal(verify_state_signatures(keys.trust({&keys.old_key}), kIdentity, digest, {by_new}))
          .find("none of the 1 trusted key"),
      std::string::npos);
  // A stranger's signature beside a trusted one does not stop it.
  const auto by_stranger = sign_state(keys.stranger, kIdentity, digest).value();
  EXPECT_TRUE(verify_state_signatures(keys.trust({&keys.new_key}), kIdentity, digest,
                                      {by_stranger, by_new}));
}

TEST(StateSignatureTest, RefusalsSayWhy) {
  Keys keys;
  const auto trusted = keys.trust({&keys.old_key});
  const auto digest = digest_of_char('a');
  EXPECT_NE(refusal(verify_state_signatures(trusted, kIdentity, digest, {})).find("not signed"),
            std::string::npos);
  // A genuine signature of other content, moved onto this one.
  const auto other = sign_state(keys.old_key, kIdentity, digest_of_char('b')).value();
  EXPECT_NE(refusal(verify_state_signatures(trusted, kIdentity, digest, {other}))
                .find("signed for sha256:bbbb"),
            std::string::npos);
  // A genuine signature of another repository's state.
  const auto elsewhere =
      sign_state(keys.old_key, "127.0.0.1:5000/satellite/group-state/west/state", digest).value();
  EXPECT_NE(refusal(verify_state_signatures(trusted, kIdentity, digest, {elsewhere}))
                .find("group-state/west/state"),
            std::string::npos);
  // The payload altered after signing.
  auto altered = sign_state(keys.old_key, kIdentity, digest).value();
  altered.payload = crypto::simple_signing_payload(kIdentity, digest, {{"x", "y"}}).value();
  EXPECT_NE(refusal(verify_state_signatures(trusted, kIdentity, digest, {altered}))
                .find("none of the 1 trusted key"),
            std::string::npos);
}

TEST(StateSignatureTest, TrustedKeysRefuseWhatIsNotAP256PublicKey) {
  EXPECT_FALSE(TrustedKeys::from_pems({}));
  auto bad =
      TrustedKeys::from_pems({"-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n"});
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message().find("trusted key 1"), std::string::npos);
}

}  // namespace
}  // namespace common::fleet_wire
