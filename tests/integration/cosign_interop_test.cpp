// Our cosign signatures against cosign 2.5 itself, through a real docker-registry on loopback
// (docs/signatures.md): cosign signs with a key from `ground-control keygen` and we verify
// what it pushed; we sign and push the signature artifact and cosign verifies it, and refuses
// it once tampered with or signed by another key; a key from `cosign generate-key-pair` loads
// here and signs what cosign then accepts. COSIGN and GROUND_CONTROL name the binaries (ctest
// sets them; scripts/bootstrap unpacks cosign into .tools/cosign); without them the tests fail.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "common/crypto/base64.hpp"
#include "common/crypto/cosign_signature.hpp"
#include "common/crypto/hasher.hpp"
#include "common/http/http_client.hpp"
#include "testutil/docker_registry.hpp"
#include "testutil/run_command.hpp"
#include "testutil/temp_dir.hpp"
#include "testutil/test_image.hpp"

namespace {

using common::Digest;
using common::crypto::CosignKey;
using common::crypto::SignatureLayer;
using common::crypto::SignatureManifest;
using testutil::CommandResult;

constexpr std::string_view kPassword = "interop passphrase";
constexpr std::string_view kRepository = "library/app";

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string tool(const char* variable) {
  const char* value = std::getenv(variable);
  return value == nullptr ? "" : value;
}

// One payload and its base64 signature: a layer of the signature artifact.
struct Signed {
  std::string payload;
  std::string signature;
};

// cosign verify said no for a signature it checked (not for want of the image or artifact).
void expect_refused(const CommandResult& verify) {
  EXPECT_FALSE(verify.ok()) << verify.output;
  EXPECT_NE(verify.output.find("no matching signatures"), std::string::npos) << verify.output;
}

class CosignInteropTest : public ::testing::Test {
 protected:
  void SetUp() override {
    cosign_ = tool("COSIGN");
    ground_control_ = tool("GROUND_CONTROL");
    ASSERT_TRUE(!cosign_.empty() && ::access(cosign_.c_str(), X_OK) == 0)
        << "cosign is missing (COSIGN='" << cosign_
        << "'): run scripts/bootstrap, which unpacks Debian 13's cosign 2.5 into .tools/cosign, "
           "then re-run cmake";
    ASSERT_TRUE(!ground_control_.empty() && ::access(ground_control_.c_str(), X_OK) == 0)
        << "GROUND_CONTROL must name the ground-control binary (ctest sets it)";
    std::filesystem::create_directories(dir_.path() / "home");
    registry_ = std::make_unique<testutil::DockerRegistry>(dir_.path() / "registry");
    host_ = registry_->url().substr(std::string_view("http://").size());
    http_ = std::move(common::http::HttpClient::create({}).value());
  }

  std::string repository_reference() const { return host_ + "/" + std::string(kRepository); }
  std::string image_reference(const Digest& digest) const {
    return repository_reference() + "@" + digest.str();
  }

  // A small OCI image named `name`, pushed by digest and tagged; its manifest digest.
  Digest seed_image(const std::string& name) {
    const auto image = testutil::make_test_image(name, {testutil::test_blob(name, 512)});
    const std::string repository(kRepository);
    registry_->push_blob(repository, image.config);
    for (const auto& layer : image.layers) registry_->push_blob(repository, layer);
    registry_->push_manifest(repository, name, image.manifest, std::string(kOciManifest));
    return image.digest();
  }

  // cosign ARGS with a private HOME (and COSIGN_PASSWORD for signing).
  CommandResult cosign(std::vector<std::string> args) {
    args.insert(args.begin(), cosign_);
    const auto log = dir_.path() / ("cosign-" + std::to_string(++runs_) + ".log");
    return testutil::run_command(
        args,
        {{"HOME", (dir_.path() / "home").string()}, {"COSIGN_PASSWORD", std::string(kPassword)}},
        log);
  }
  CommandResult cosign_verify(const std::filesystem::path& pub, const Digest& image) {
    return cosign({"verify", "--key", pub.string(), "--insecure-ignore-tlog=true",
                   "--allow-http-registry", image_reference(image)});
  }
  CommandResult cosign_sign(const std::filesystem::path& key, const Digest& image) {
    return cosign({"sign", "--key", key.string(), "--tlog-upload=false", "--allow-http-registry",
                   "-y", image_reference(image)});
  }

  // `ground-control keygen` at dir/`name`: the key read back from NAME.key; NAME.pub beside.
  CosignKey keygen(const std::string& name) {
    const auto prefix = (dir_.path() / name).string();
    const auto made = testutil::run_command(
        {ground_control_, "keygen", "--output-key-prefix", prefix},
        {{"COSIGN_PASSWORD", std::string(kPassword)}}, dir_.path() / (name + "-keygen.log"));
    EXPECT_TRUE(made.ok()) << made.output;
    auto key = CosignKey::from_encrypted_pem(read_file(prefix + ".key"), kPassword);
    if (!key) throw std::runtime_error("keygen's key does not load: " + key.error().message());
    return std::move(*key);
  }

  // Our signature of `image` in this repository by `key`.
  Signed sign(const CosignKey& key, const Digest& image) {
    const auto payload =
        common::crypto::simple_signing_payload(repository_reference(), image).value();
    return {payload, common::crypto::sign_payload(key, payload).value()};
  }
  // Pushes `signatures` as the artifact at signature_tag(image), replacing what is there.
  void push_signatures(const Digest& image, const std::vector<Signed>& signatures) {
    SignatureManifest manifest;
    const std::string repository(kRepository);
    for (const auto& one : signatures) {
      registry_->push_blob(repository, one.payload);
      manifest.append(SignatureLayer::of(one.payload, one.signature));
    }
    registry_->push_blob(repository, manifest.config_json());
    registry_->push_manifest(repository, common::crypto::signature_tag(image),
                             manifest.manifest_json(), std::string(kOciManifest));
  }

  std::string get(const std::string& path, const std::string& accept = "*/*") {
    common::http::ClientRequest request;
    request.url = registry_->url() + "/v2/" + std::string(kRepository) + path;
    request.headers.emplace_back("Accept", accept);
    auto response = http_->request(request);
    if (!response || response->status != 200)
      throw std::runtime_error("GET " + request.url + " failed");
    return response->body;
  }
  // The artifact at signature_tag(image) as stored, and each layer's payload blob.
  std::string fetch_signature_manifest(const Digest& image) {
    return get("/manifests/" + common::crypto::signature_tag(image), std::string(kOciManifest));
  }
  std::vector<Signed> fetch_signatures(const Digest& image) {
    const auto manifest = SignatureManifest::parse(fetch_signature_manifest(image)).value();
    std::vector<Signed> out;
    for (const auto& layer : manifest.layers()) {
      EXPECT_EQ(layer.media_type, common::crypto::kSimpleSigningMediaType);
      const auto payload = get("/blobs/" + layer.digest.str());
      EXPECT_EQ(common::crypto::digest_of(payload), layer.digest);
      out.push_back({payload, std::string(layer.signature().value_or(""))});
    }
    return out;
  }

  static constexpr std::string_view kOciManifest = common::crypto::kOciManifestMediaType;
  testutil::TempDir dir_;
  std::string cosign_, ground_control_, host_;
  std::unique_ptr<testutil::DockerRegistry> registry_;
  std::unique_ptr<common::http::HttpClient> http_;
  int runs_ = 0;
};

TEST_F(CosignInteropTest, CosignSignsWithOurKeygenKeyAndWeVerifyWhatItPushed) {
  const auto key = keygen("ours");
  const auto image = seed_image("signed-by-cosign");
  const auto signed_by_cosign = cosign_sign(dir_.path() / "ours.key", image);
  ASSERT_TRUE(signed_by_cosign.ok()) << signed_by_cosign.output;
  const auto verified = cosign_verify(dir_.path() / "ours.pub", image);
  EXPECT_TRUE(verified.ok()) << verified.output;

  const auto signatures = fetch_signatures(image);
  ASSERT_EQ(signatures.size(), 1u);
  const auto pub = read_file(dir_.path() / "ours.pub");
  EXPECT_TRUE(
      common::crypto::verify_signature(pub, signatures[0].payload, signatures[0].signature));
  const auto claim = common::crypto::parse_simple_signing(signatures[0].payload).value();
  EXPECT_EQ(claim.docker_reference, repository_reference());
  EXPECT_EQ(claim.manifest_digest, image);
  // Byte for byte what we would have written: payload, manifest and config.
  EXPECT_EQ(sign(key, image).payload, signatures[0].payload);
  const auto stored = fetch_signature_manifest(image);
  const auto parsed = SignatureManifest::parse(stored).value();
  EXPECT_EQ(parsed.manifest_json(), stored);
  EXPECT_EQ(get("/blobs/" + common::crypto::digest_of(parsed.config_json()).str()),
            parsed.config_json());

  // Another key does not verify cosign's signature.
  const auto other = CosignKey::generate().value();
  EXPECT_EQ(common::crypto::verify_signature(other.public_key_pem().value(), signatures[0].payload,
                                             signatures[0].signature)
                .error()
                .code(),
            common::ErrorCode::kPermissionDenied);
}

TEST_F(CosignInteropTest, CosignVerifiesWhatWeSignAndRefusesItTamperedOrByAnotherKey) {
  const auto key = keygen("ours");
  const auto pub = dir_.path() / "ours.pub";

  const auto image = seed_image("signed-by-us");
  push_signatures(image, {sign(key, image)});
  const auto verified = cosign_verify(pub, image);
  EXPECT_TRUE(verified.ok()) << verified.output;
  EXPECT_NE(verified.output.find(image.str()), std::string::npos) << verified.output;

  // The payload's bytes altered after signing (it now claims an annotation).
  const auto payload_image = seed_image("tampered-payload");
  auto tampered = sign(key, payload_image);
  tampered.payload = common::crypto::simple_signing_payload(repository_reference(), payload_image,
                                                            {{"approved", "true"}})
                         .value();
  push_signatures(payload_image, {tampered});
  const auto refused_payload = cosign_verify(pub, payload_image);
  expect_refused(refused_payload);

  // One bit of the DER signature flipped.
  const auto signature_image = seed_image("tampered-signature");
  auto flipped = sign(key, signature_image);
  auto der = common::crypto::base64_decode(flipped.signature).value();
  der[der.size() / 2] = static_cast<char>(der[der.size() / 2] ^ 1);
  flipped.signature = common::crypto::base64_encode(der);
  push_signatures(signature_image, {flipped});
  const auto refused_signature = cosign_verify(pub, signature_image);
  expect_refused(refused_signature);

  // Signed properly, but by another key: refused with ours, accepted with its own.
  const auto other = keygen("other");
  const auto other_image = seed_image("signed-by-other");
  push_signatures(other_image, {sign(other, other_image)});
  const auto refused_key = cosign_verify(pub, other_image);
  expect_refused(refused_key);
  const auto own_key = cosign_verify(dir_.path() / "other.pub", other_image);
  EXPECT_TRUE(own_key.ok()) << own_key.output;

  // A signature of another image, moved under this image's tag.
  const auto moved_image = seed_image("moved-signature");
  push_signatures(moved_image, {sign(key, image)});
  const auto refused_moved = cosign_verify(pub, moved_image);
  expect_refused(refused_moved);
}

TEST_F(CosignInteropTest, KeyFromCosignGenerateKeyPairSignsWhatCosignAccepts) {
  const auto prefix = dir_.path() / "made-by-cosign";
  const auto made = cosign({"generate-key-pair", "--output-key-prefix", prefix.string()});
  ASSERT_TRUE(made.ok()) << made.output;
  const auto pem = read_file(prefix.string() + ".key");
  EXPECT_EQ(CosignKey::from_encrypted_pem(pem, "wrong").error().code(),
            common::ErrorCode::kPermissionDenied);
  auto loaded = CosignKey::from_encrypted_pem(pem, kPassword);
  ASSERT_TRUE(loaded) << loaded.error().message();
  const auto cosign_pub = read_file(prefix.string() + ".pub");
  EXPECT_EQ(loaded->public_key_pem().value(), cosign_pub);

  const auto image = seed_image("signed-with-cosigns-key");
  const auto ours = sign(*loaded, image);
  EXPECT_TRUE(common::crypto::verify_signature(cosign_pub, ours.payload, ours.signature));
  push_signatures(image, {ours});
  const auto verified = cosign_verify(prefix.string() + ".pub", image);
  EXPECT_TRUE(verified.ok()) << verified.output;
}

TEST_F(CosignInteropTest, CosignAppendsToOurSignaturesAndBothVerify) {
  const auto key = keygen("ours");
  const auto image = seed_image("signed-twice");
  const auto ours = sign(key, image);
  push_signatures(image, {ours});
  const auto second = keygen("second");
  const auto signed_by_cosign = cosign_sign(dir_.path() / "second.key", image);
  ASSERT_TRUE(signed_by_cosign.ok()) << signed_by_cosign.output;

  const auto signatures = fetch_signatures(image);
  ASSERT_EQ(signatures.size(), 2u);
  EXPECT_EQ(signatures[0].payload, ours.payload);  // ours first, as pushed
  EXPECT_EQ(signatures[0].signature, ours.signature);
  EXPECT_TRUE(common::crypto::verify_signature(read_file(dir_.path() / "second.pub"),
                                               signatures[1].payload, signatures[1].signature));
  for (const auto* pub : {"ours.pub", "second.pub"}) {
    const auto verified = cosign_verify(dir_.path() / pub, image);
    EXPECT_TRUE(verified.ok()) << pub << ": " << verified.output;
  }
}

}  // namespace
