// verify_signature and parse_simple_signing against genuine signatures made by cosign (and
// one by skopeo), the fixtures of containers/image's own tests that Debian 12's
// golang-github-containers-image-dev ships: cosign.pub and dir-img-cosign-*/, each holding
// the image's manifest.json and its signature-N files, which are containers/image's
// "\0sigstore-json\n" + {"mimeType","payload":b64,"annotations":{…signature…}}.
// scripts/bootstrap unpacks them into .tools/containers-image; without them these tests
// fail and say so.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "common/crypto/base64.hpp"
#include "common/crypto/cosign_signature.hpp"
#include "common/crypto/hasher.hpp"

namespace common::crypto {
namespace {

const std::filesystem::path kFixtures = COSIGN_FIXTURES_DIR;
constexpr std::string_view kSigstorePrefix("\0sigstore-json\n", 15);
constexpr std::string_view kSignedReference = "192.168.64.2:5000/cosign-signed-single-sample";
constexpr std::string_view kSignedDigest =
    "sha256:634a8f35b5f16dcf4aaa0822adc0b1964bb786fca12f6831de8ddc45e5986a00";

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

struct FixtureSignature {
  std::string mime_type;  // the layer's media type in the registry
  std::string payload;    // the signed bytes
  std::string signature;  // the annotation's base64
};

FixtureSignature read_signature(const std::filesystem::path& path) {
  const auto blob = read_file(path);
  EXPECT_TRUE(blob.starts_with(kSigstorePrefix)) << path;
  const auto doc = nlohmann::json::parse(blob.substr(kSigstorePrefix.size()));
  return {doc.at("mimeType").get<std::string>(),
          base64_decode(doc.at("payload").get<std::string>()).value(),
          doc.at("annotations").at(std::string(kSignatureAnnotation)).get<std::string>()};
}

class CosignFixturesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(std::filesystem::is_regular_file(kFixtures / "cosign.pub"))
        << "no cosign fixtures at " << kFixtures
        << ": run scripts/bootstrap (it unpacks Debian 12's golang-github-containers-image-dev "
           "into .tools/containers-image), then re-run cmake";
    auto key = CosignPublicKey::from_pem(read_file(kFixtures / "cosign.pub"));
    ASSERT_TRUE(key) << key.error().message();
    key_ = std::move(*key);
  }
  Status verify(const FixtureSignature& signature) const {
    return verify_signature(*key_, signature.payload, signature.signature);
  }
  std::optional<CosignPublicKey> key_;
};

TEST_F(CosignFixturesTest, CosignsSignatureVerifiesAndNamesTheManifestBeside) {
  const auto dir = kFixtures / "dir-img-cosign-valid";
  const auto signature = read_signature(dir / "signature-1");
  EXPECT_EQ(signature.mime_type, kSimpleSigningMediaType);
  ASSERT_TRUE(verify(signature));
  const auto signed_claim = parse_simple_signing(signature.payload).value();
  EXPECT_EQ(signed_claim.docker_reference, kSignedReference);
  EXPECT_EQ(signed_claim.manifest_digest.str(), kSignedDigest);
  EXPECT_EQ(digest_of(read_file(dir / "manifest.json")), signed_claim.manifest_digest);
  EXPECT_TRUE(signed_claim.annotations.empty());
  // The payload we write for the same image is byte for byte the one cosign signed.
  EXPECT_EQ(simple_signing_payload(kSignedReference, signed_claim.manifest_digest).value(),
            signature.payload);
  // The same check with the key given as PEM.
  EXPECT_TRUE(verify_signature(read_file(kFixtures / "cosign.pub"), signature.payload,
                               signature.signature));
}

TEST_F(CosignFixturesTest, EachOfTwoSignaturesVerifies) {
  const auto dir = kFixtures / "dir-img-cosign-valid-2";
  const auto first = read_signature(dir / "signature-1");
  const auto second = read_signature(dir / "signature-2");
  EXPECT_NE(first.signature, second.signature);  // ECDSA: two signings, two signatures
  EXPECT_TRUE(verify(first));
  EXPECT_TRUE(verify(second));
}

TEST_F(CosignFixturesTest, SignatureByAnotherKeyIsRefused) {
  const auto unknown = read_signature(kFixtures / "unknown-cosign-key.signature");
  EXPECT_EQ(verify(unknown).error().code(), ErrorCode::kPermissionDenied);
  // dir-img-cosign-mixed: that signature first, then a good one.
  const auto dir = kFixtures / "dir-img-cosign-mixed";
  EXPECT_EQ(verify(read_signature(dir / "signature-1")).error().code(),
            ErrorCode::kPermissionDenied);
  EXPECT_TRUE(verify(read_signature(dir / "signature-2")));
}

TEST_F(CosignFixturesTest, TamperedPayloadOrSignatureIsRefused) {
  const auto good = read_signature(kFixtures / "dir-img-cosign-valid" / "signature-1");
  ASSERT_TRUE(verify(good));

  auto other_digest = good;  // the claim moved to another manifest
  const auto at = other_digest.payload.find("6a00");
  ASSERT_NE(at, std::string::npos);
  other_digest.payload.replace(at, 4, "6a01");
  ASSERT_TRUE(parse_simple_signing(other_digest.payload));
  EXPECT_EQ(verify(other_digest).error().code(), ErrorCode::kPermissionDenied);

  auto spaced = good;  // same JSON meaning, other bytes
  spaced.payload.insert(1, " ");
  EXPECT_EQ(verify(spaced).error().code(), ErrorCode::kPermissionDenied);

  auto flipped = good;  // one bit of the DER signature's s
  auto der = base64_decode(flipped.signature).value();
  der.back() = static_cast<char>(der.back() ^ 1);
  flipped.signature = base64_encode(der);
  EXPECT_EQ(verify(flipped).error().code(), ErrorCode::kPermissionDenied);

  auto truncated = good;
  truncated.signature = base64_encode(der.substr(0, der.size() - 1));
  EXPECT_EQ(verify(truncated).error().code(), ErrorCode::kPermissionDenied);

  auto swapped = good;  // a valid signature of this key, over the skopeo-made payload
  swapped.signature =
      read_signature(kFixtures / "dir-img-cosign-valid-with-tag" / "signature-1").signature;
  EXPECT_EQ(verify(swapped).error().code(), ErrorCode::kPermissionDenied);
}

TEST_F(CosignFixturesTest, SignatureOfAnotherManifestVerifiesButNamesItsOwnDigest) {
  // dir-img-cosign-modified-manifest: a good signature beside a manifest it was not made
  // for. The signature holds; the digest it names is not the manifest's, which is what a
  // caller must compare (verify_signature checks only the bytes it is given).
  const auto dir = kFixtures / "dir-img-cosign-modified-manifest";
  const auto signature = read_signature(dir / "signature-1");
  ASSERT_TRUE(verify(signature));
  const auto signed_claim = parse_simple_signing(signature.payload).value();
  EXPECT_EQ(signed_claim.manifest_digest.str(), kSignedDigest);
  EXPECT_NE(digest_of(read_file(dir / "manifest.json")), signed_claim.manifest_digest);
}

TEST_F(CosignFixturesTest, SkopeoSignatureWithTagAndOptionalFieldsParses) {
  const auto signature =
      read_signature(kFixtures / "dir-img-cosign-valid-with-tag" / "signature-1");
  ASSERT_TRUE(verify(signature));
  const auto signed_claim = parse_simple_signing(signature.payload).value();
  EXPECT_EQ(signed_claim.docker_reference, "192.168.64.2:5000/skopeo-signed:tag");
  EXPECT_EQ(signed_claim.manifest_digest.str(), kSignedDigest);
  EXPECT_EQ(signed_claim.annotations,
            (SigningAnnotations{{"creator", "containers/image 5.21.2-dev"},
                                {"timestamp", "1657296609"}}));
}

TEST_F(CosignFixturesTest, AttachmentThatIsNotASignatureIsRefused) {
  const auto attachment =
      read_signature(kFixtures / "dir-img-cosign-other-attachment" / "signature-1");
  EXPECT_EQ(attachment.mime_type, "text/plain");
  EXPECT_EQ(verify(attachment).error().code(), ErrorCode::kPermissionDenied);
  EXPECT_EQ(parse_simple_signing(attachment.payload).error().code(), ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace common::crypto
