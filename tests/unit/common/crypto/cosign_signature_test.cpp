#include "common/crypto/cosign_signature.hpp"

#include <gtest/gtest.h>

#include "common/crypto/base64.hpp"
#include "common/crypto/hasher.hpp"

namespace common::crypto {
namespace {

const Digest kImage = Digest::parse("sha256:" + std::string(32 * 2, 'a')).value();
const Digest kOtherImage = Digest::parse("sha256:" + std::string(32 * 2, 'b')).value();
constexpr std::string_view kRepository = "registry.example:5000/library/app";

// The bytes cosign 2.5 writes for kRepository and digest sha256:abab… (docs/signatures.md).
constexpr std::string_view kExpectedPayload =
    R"({"critical":{"identity":{"docker-reference":"registry.example:5000/library/app"},)"
    R"("image":{"docker-manifest-digest":"sha256:abababababababababababababababababababababababababababababababab"},)"
    R"("type":"cosign container image signature"},"optional":null})";

Digest abab() {
  std::string hex;
  for (int i = 0; i < 32; ++i) hex += "ab";
  return Digest::parse("sha256:" + hex).value();
}

TEST(CosignSignatureTest, PayloadHasCosignsExactBytes) {
  EXPECT_EQ(simple_signing_payload(kRepository, abab()).value(), kExpectedPayload);
  EXPECT_EQ(
      simple_signing_payload("ghcr.io/org/app", kImage, {{"v", "7"}, {"a", "x\"y"}}).value(),
      R"({"critical":{"identity":{"docker-reference":"ghcr.io/org/app"},"image":{"docker-manifest-digest":")" +
          kImage.str() +
          R"("},"type":"cosign container image signature"},"optional":{"a":"x\"y","v":"7"}})");
}

TEST(CosignSignatureTest, PayloadRefusesReferencesThatAreNotHostAndRepository) {
  for (std::string_view bad :
       {"", "app", "/library/app", "registry.example/library/app:1.0",
        "registry.example/library/app@sha256:abc", "registry.example/Library/App",
        "registry.example/", "bad host/app", "registry.example/library//app"}) {
    auto payload = simple_signing_payload(bad, kImage);
    ASSERT_FALSE(payload) << bad;
    EXPECT_EQ(payload.error().code(), ErrorCode::kInvalidArgument) << bad;
  }
  EXPECT_TRUE(simple_signing_payload("127.0.0.1:5000/satellite/group-state/g1/state", kImage));
}

TEST(CosignSignatureTest, ParsesAPayloadBack) {
  auto parsed = parse_simple_signing(kExpectedPayload);
  ASSERT_TRUE(parsed) << parsed.error().message();
  EXPECT_EQ(parsed->docker_reference, kRepository);
  EXPECT_EQ(parsed->manifest_digest, abab());
  EXPECT_TRUE(parsed->annotations.empty());

  const auto annotated = simple_signing_payload(kRepository, kImage, {{"version", "12"}}).value();
  parsed = parse_simple_signing(annotated);
  ASSERT_TRUE(parsed) << parsed.error().message();
  EXPECT_EQ(parsed->annotations, (SigningAnnotations{{"version", "12"}}));
  // Non-string annotations (cosign's -a takes strings, but the map is interface{}).
  parsed = parse_simple_signing(
      R"({"critical":{"identity":{"docker-reference":"h/r"},"image":{"docker-manifest-digest":")" +
      kImage.str() + R"("},"type":"cosign container image signature"},"optional":{"n":3}})");
  ASSERT_TRUE(parsed) << parsed.error().message();
  EXPECT_EQ(parsed->annotations.at("n"), "3");
}

TEST(CosignSignatureTest, ParseRefusesOtherTypesAndMalformedPayloads) {
  std::string other_type(kExpectedPayload);
  other_type.replace(other_type.find("cosign container image signature"), 6, "atomic");
  std::string bad_digest(kExpectedPayload);
  bad_digest.replace(bad_digest.find("sha256:"), 7, "md5:");
  std::string no_reference(kExpectedPayload);
  no_reference.replace(no_reference.find("docker-reference"), 6, "podman");
  for (const std::string& bad :
       {std::string(), std::string("not json"), std::string("[]"), std::string("{}"), other_type,
        bad_digest, no_reference,
        std::string(kExpectedPayload.substr(0, kExpectedPayload.size() - 1)),
        std::string(kExpectedPayload).replace(kExpectedPayload.size() - 5, 4, "\"x\""),
        std::string(kMaxPayloadBytes + 1, ' '), std::string(kMaxPayloadBytes, '['),
        std::string(kMaxPayloadBytes / 2, '[') + std::string(kMaxPayloadBytes / 2, ']')}) {
    auto parsed = parse_simple_signing(bad);
    ASSERT_FALSE(parsed) << bad;
    EXPECT_EQ(parsed.error().code(), ErrorCode::kInvalidArgument) << bad;
  }
}

TEST(CosignSignatureTest, SignThenVerify) {
  const auto key = CosignKey::generate().value();
  const auto payload = simple_signing_payload(kRepository, kImage).value();
  const auto signature = sign_payload(key, payload);
  ASSERT_TRUE(signature) << signature.error().message();
  // base64 of a DER SEQUENCE.
  EXPECT_EQ(base64_decode(*signature).value()[0], '\x30');
  EXPECT_TRUE(verify_signature(key.public_key().value(), payload, *signature));
  const auto status = verify_signature(key.public_key_pem().value(), payload, *signature);
  EXPECT_TRUE(status) << status.error().message();
  // A key read back from its encrypted file signs what the public key verifies.
  const auto reread =
      CosignKey::from_encrypted_pem(key.encrypted_pem("pw", {1024, 8, 1}).value(), "pw").value();
  EXPECT_TRUE(verify_signature(key.public_key_pem().value(), payload,
                               sign_payload(reread, payload).value()));
}

void expect_refused(const Status& status, std::string_view what) {
  ASSERT_FALSE(status) << what;
  EXPECT_EQ(status.error().code(), ErrorCode::kPermissionDenied) << what;
}

TEST(CosignSignatureTest, TamperedPayloadSignatureOrKeyIsRefused) {
  const auto key = CosignKey::generate().value();
  const auto pub = key.public_key().value();
  const auto payload = simple_signing_payload(kRepository, kImage).value();
  const auto signature = sign_payload(key, payload).value();
  ASSERT_TRUE(verify_signature(pub, payload, signature));

  expect_refused(
      verify_signature(pub, simple_signing_payload(kRepository, kOtherImage).value(), signature),
      "another digest");
  expect_refused(verify_signature(pub, payload + " ", signature), "a byte more");
  auto der = base64_decode(signature).value();
  der[der.size() - 3] ^= 0x01;
  expect_refused(verify_signature(pub, payload, base64_encode(der)), "flipped bit");
  expect_refused(verify_signature(pub, payload, base64_encode(der.substr(0, 20))), "truncated");
  expect_refused(verify_signature(pub, payload, "!!not base64!!"), "bad base64");
  expect_refused(verify_signature(pub, payload, ""), "empty");
  expect_refused(verify_signature(pub, payload, base64_encode("garbage")), "not DER");
  const auto stranger = CosignKey::generate().value();
  expect_refused(verify_signature(stranger.public_key().value(), payload, signature),
                 "another key");

  auto bad_key = verify_signature(std::string_view("not a key"), payload, signature);
  ASSERT_FALSE(bad_key);
  EXPECT_EQ(bad_key.error().code(), ErrorCode::kInvalidArgument);
}

TEST(CosignSignatureTest, SignatureTag) {
  EXPECT_EQ(signature_tag(kImage), "sha256-" + kImage.hex() + ".sig");
}

// One layer for kExpectedPayload with signature "c2lnbmF0dXJl"; digests and sizes worked
// out independently (Python hashlib) from the bytes in docs/signatures.md.
constexpr std::string_view kPayloadDigest =
    "sha256:750b75b3d2cb2cc63b9d7a3e4b76e3df87cd8f9d9297e43610ce7b2adbb50b1e";
constexpr std::string_view kExpectedConfig =
    R"({"architecture":"","created":"0001-01-01T00:00:00Z","history":[{"created":"0001-01-01T00:00:00Z"}],)"
    R"("os":"","rootfs":{"type":"layers","diff_ids":["sha256:750b75b3d2cb2cc63b9d7a3e4b76e3df87cd8f9d9297e43610ce7b2adbb50b1e"]},"config":{}})";
constexpr std::string_view kExpectedManifest =
    R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",)"
    R"("config":{"mediaType":"application/vnd.oci.image.config.v1+json","size":233,)"
    R"("digest":"sha256:4d325433a976a038b5c10b6f73f6936092743cbaa2e9efdb486e33f5d14a48c3"},)"
    R"("layers":[{"mediaType":"application/vnd.dev.cosign.simplesigning.v1+json","size":249,)"
    R"("digest":"sha256:750b75b3d2cb2cc63b9d7a3e4b76e3df87cd8f9d9297e43610ce7b2adbb50b1e",)"
    R"("annotations":{"dev.cosignproject.cosign/signature":"c2lnbmF0dXJl"}}]})";

TEST(CosignSignatureTest, ArtifactHasCosignsExactBytes) {
  SignatureManifest manifest;
  EXPECT_TRUE(manifest.append(SignatureLayer::of(kExpectedPayload, "c2lnbmF0dXJl")));
  ASSERT_EQ(manifest.layers().size(), 1u);
  EXPECT_EQ(manifest.layers()[0].digest.str(), kPayloadDigest);
  EXPECT_EQ(manifest.layers()[0].signature(), "c2lnbmF0dXJl");
  EXPECT_EQ(manifest.config_json(), kExpectedConfig);
  EXPECT_EQ(manifest.manifest_json(), kExpectedManifest);
}

TEST(CosignSignatureTest, AppendsASecondSignatureToAFetchedManifest) {
  auto fetched = SignatureManifest::parse(kExpectedManifest);
  ASSERT_TRUE(fetched) << fetched.error().message();
  ASSERT_EQ(fetched->layers().size(), 1u);
  EXPECT_EQ(fetched->manifest_json(), kExpectedManifest);  // read back unchanged

  // The same signature again changes nothing.
  EXPECT_FALSE(fetched->append(SignatureLayer::of(kExpectedPayload, "c2lnbmF0dXJl")));
  EXPECT_EQ(fetched->manifest_json(), kExpectedManifest);

  const std::string second_payload = simple_signing_payload(kRepository, kOtherImage).value();
  EXPECT_TRUE(fetched->append(SignatureLayer::of(second_payload, "c2Vjb25k")));
  ASSERT_EQ(fetched->layers().size(), 2u);
  const auto second_digest = digest_of(second_payload).str();
  EXPECT_EQ(
      fetched->config_json(),
      R"({"architecture":"","created":"0001-01-01T00:00:00Z","history":[{"created":"0001-01-01T00:00:00Z"}],)"
      R"("os":"","rootfs":{"type":"layers","diff_ids":[")" +
          std::string(kPayloadDigest) + R"(",")" + second_digest + R"("]},"config":{}})");
  const auto config = fetched->config_json();
  EXPECT_EQ(
      fetched->manifest_json(),
      R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",)"
      R"("config":{"mediaType":"application/vnd.oci.image.config.v1+json","size":)" +
          std::to_string(config.size()) + R"(,"digest":")" + digest_of(config).str() +
          R"("},"layers":[{"mediaType":"application/vnd.dev.cosign.simplesigning.v1+json","size":249,)"
          R"("digest":")" +
          std::string(kPayloadDigest) +
          R"(","annotations":{"dev.cosignproject.cosign/signature":"c2lnbmF0dXJl"}},)"
          R"({"mediaType":"application/vnd.dev.cosign.simplesigning.v1+json","size":)" +
          std::to_string(second_payload.size()) + R"(,"digest":")" + second_digest +
          R"(","annotations":{"dev.cosignproject.cosign/signature":"c2Vjb25k"}}]})");
}

TEST(CosignSignatureTest, KeepsOtherAnnotationsOfFetchedLayers) {
  std::string with_cert(kExpectedManifest);
  // Sorted, as Go writes a map.
  with_cert.replace(with_cert.find(R"("c2lnbmF0dXJl")") + 14, 0,
                    R"(,"dev.sigstore.cosign/certificate":"PEM")");
  auto fetched = SignatureManifest::parse(with_cert);
  ASSERT_TRUE(fetched) << fetched.error().message();
  EXPECT_EQ(fetched->layers()[0].annotations.size(), 2u);
  EXPECT_EQ(fetched->layers()[0].signature(), "c2lnbmF0dXJl");
  EXPECT_EQ(fetched->manifest_json(), with_cert);
}

TEST(CosignSignatureTest, ParseRefusesMalformedManifests) {
  auto replaced = [](std::string_view from, std::string_view to) {
    std::string text(kExpectedManifest);
    const auto at = text.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    return text.replace(at, from.size(), to);
  };
  std::string many_layers =
      R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","layers":[)";
  for (std::size_t i = 0; i <= SignatureManifest::kMaxLayers; ++i)
    many_layers += std::string(i ? "," : "") + R"({"mediaType":"m","size":1,"digest":")" +
                   std::string(kPayloadDigest) + R"("})";
  many_layers += "]}";
  for (const std::string& bad :
       {std::string(), std::string("not json"), std::string("[]"),
        std::string(kExpectedManifest.substr(0, 100)),
        replaced("application/vnd.oci.image.manifest.v1+json",
                 "application/vnd.docker.distribution.manifest.v2+json"),
        replaced(R"("schemaVersion":2)", R"("schemaVersion":1)"),
        replaced(R"("layers":[)", R"("blobs":[)"), replaced(R"("size":249)", R"("size":-1)"),
        replaced(R"("size":249)", R"("size":"249")"), replaced("sha256:750b", "sha256:XYZb"),
        replaced(R"("c2lnbmF0dXJl")", "42"),
        replaced(R"("annotations":{)", R"("annotations":[)")
            .replace(kExpectedManifest.size() - 3, 1, "]"),
        many_layers, std::string(SignatureManifest::kMaxManifestBytes + 1, ' '),
        // Deep nesting (far beyond what recursion on the stack survives): parsed and freed.
        std::string(512 * 1024, '[') + std::string(512 * 1024, ']')}) {
    auto parsed = SignatureManifest::parse(bad);
    ASSERT_FALSE(parsed) << bad.substr(0, 300);
    EXPECT_EQ(parsed.error().code(), ErrorCode::kInvalidArgument) << bad.substr(0, 300);
  }
}

}  // namespace
}  // namespace common::crypto
