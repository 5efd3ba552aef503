#include "common/fleet_wire/satellite_state.hpp"

#include <gtest/gtest.h>

#include <string>

#include "common/crypto/cosign_key.hpp"

namespace common::fleet_wire {
namespace {

SatelliteState sample() {
  SatelliteState state;
  state.satellite = "sat-1";
  state.groups = {"edge"};
  state.artifacts.push_back({"library/nginx",
                             Digest::from_hex(DigestAlgorithm::kSha256, std::string(64, 'a')),
                             {"1.25"},
                             "IMAGE",
                             {"edge"}});
  state.config_name = "default";
  state.config_digest = "sha256:" + std::string(64, 'c');
  state.upstream_url = "https://registry.example";
  seal(state);
  return state;
}

TEST(SatelliteStateTest, RoundTripsWithItsDigest) {
  const auto state = sample();
  auto parsed = parse_satellite_state(to_json(state));
  ASSERT_TRUE(parsed) << parsed.error().message();
  EXPECT_EQ(parsed->state_digest, state.state_digest);
  EXPECT_EQ(parsed->artifacts.at(0).digest, state.artifacts.at(0).digest);
  EXPECT_EQ(parsed->upstream_url, "https://registry.example");
  auto resealed = *parsed;
  seal(resealed);
  EXPECT_EQ(resealed.state_digest, state.state_digest);
}

TEST(SatelliteStateTest, ANewerDocumentsUnknownFieldsAreIgnored) {
  auto text = to_json(sample());
  text.insert(1, R"("rolloutWave":3,)");
  const auto at = text.find(R"("repository")");
  text.insert(at, R"("platforms":["linux/arm64"],)");
  auto parsed = parse_satellite_state(text);
  ASSERT_TRUE(parsed) << parsed.error().message();
  EXPECT_EQ(parsed->artifacts.size(), 1u);
}

TEST(SatelliteStateTest, BadDocumentsNameTheField) {
  struct Case {
    std::string text;
    std::string field;
  };
  const std::string head = R"({"apiVersion":"satellite/v1","satellite":"s",)";
  for (const auto& c :
       {Case{R"({"apiVersion":"satellite/v2","satellite":"s"})", "apiVersion"},
        Case{R"({"satellite":"s"})", "apiVersion"},
        Case{head + R"("artifacts":[{"repository":"r","digest":"md5:1"}]})", "artifacts[0].digest"},
        Case{head + R"("artifacts":[{"digest":"sha256:)" + std::string(64, 'a') + R"("}]})",
             "artifacts[0].repository"},
        Case{head + R"("artifacts":[{"repository":"r","digest":"sha256:)" + std::string(64, 'a') +
                 R"(","tags":"x"}]})",
             "artifacts[0].tags"}}) {
    const auto parsed = parse_satellite_state(c.text);
    ASSERT_FALSE(parsed) << c.text;
    EXPECT_TRUE(parsed.error().message().starts_with(c.field + ":")) << parsed.error().message();
  }
  EXPECT_FALSE(parse_satellite_state("not json"));
}

std::string new_public_key() {
  auto key = crypto::CosignKey::generate();
  EXPECT_TRUE(key);
  auto pem = key->public_key_pem();
  EXPECT_TRUE(pem);
  return *pem;
}

TEST(SatelliteStateTest, SignaturePoliciesRoundTripAndChangeTheDigest) {
  auto state = sample();
  const auto without = state.state_digest;
  EXPECT_EQ(to_json(state).find("signaturePolicies"), std::string::npos);
  const auto key = new_public_key();
  state.signature_policies["edge"] = {SignatureMode::kEnforce, {key}};
  state.signature_policies["lab"] = {SignatureMode::kOff, {}};
  seal(state);
  EXPECT_NE(state.state_digest, without);
  auto parsed = parse_satellite_state(to_json(state));
  ASSERT_TRUE(parsed) << parsed.error().message();
  EXPECT_EQ(parsed->signature_policies, state.signature_policies);
  auto resealed = *parsed;
  seal(resealed);
  EXPECT_EQ(resealed.state_digest, state.state_digest);
}

TEST(SatelliteStateTest, ADocumentWithoutPoliciesKeepsItsDigest) {
  // The digest of sample() as it was before signature policies existed.
  auto state = sample();
  state.signature_policies.clear();
  seal(state);
  EXPECT_EQ(canonical_content(state).find("signaturePolicies"), std::string::npos);
  EXPECT_EQ(
      canonical_content(state),
      R"({"apiVersion":"satellite/v1","artifacts":[{"digest":"sha256:)" + std::string(64, 'a') +
          R"(","groups":["edge"],"repository":"library/nginx","tags":["1.25"],"type":"IMAGE"}],)"
          R"("config":{"digest":"sha256:)" +
          std::string(64, 'c') +
          R"(","name":"default"},"conflicts":[],"groups":["edge"],"kind":"SatelliteState",)"
          R"("upstream":{"url":"https://registry.example"}})");
}

TEST(SatelliteStateTest, BadSignaturePoliciesNameTheField) {
  const std::string head = R"({"apiVersion":"satellite/v1","satellite":"s","signaturePolicies":)";
  auto key = new_public_key();
  std::string escaped;
  for (char c : key) escaped += c == '\n' ? std::string("\\n") : std::string(1, c);
  struct Case {
    std::string policies;
    std::string field;
  };
  for (const auto& c : {
           Case{R"([])", "signaturePolicies"},
           Case{R"({"edge":"enforce"})", "signaturePolicies.edge"},
           Case{R"({"edge":{"publicKeys":[]}})", "signaturePolicies.edge.mode"},
           Case{R"({"edge":{"mode":"strict","publicKeys":[]}})", "signaturePolicies.edge.mode"},
           Case{R"({"edge":{"mode":"enforce","publicKeys":[]}})",
                "signaturePolicies.edge.publicKeys"},
           Case{R"({"edge":{"mode":"warn"}})", "signaturePolicies.edge.publicKeys"},
           Case{R"({"edge":{"mode":"enforce","publicKeys":"x"}})",
                "signaturePolicies.edge.publicKeys"},
           Case{R"({"edge":{"mode":"enforce","publicKeys":[")" + escaped + R"(","not a key"]}})",
                "signaturePolicies.edge.publicKeys[1]"},
       }) {
    const auto parsed = parse_satellite_state(head + c.policies + "}");
    ASSERT_FALSE(parsed) << c.policies;
    EXPECT_TRUE(parsed.error().message().starts_with(c.field + ":")) << parsed.error().message();
  }
  auto good = parse_satellite_state(head + R"({"edge":{"mode":"enforce","publicKeys":[")" +
                                    escaped + R"("]}}})");
  ASSERT_TRUE(good) << good.error().message();
  EXPECT_EQ(good->signature_policies.at("edge").public_keys, std::vector<std::string>{key});
}

TEST(SignaturePolicyTest, AnArtifactFollowsItsStrictestGroup) {
  const SignaturePolicies policies{{"a", {SignatureMode::kWarn, {"k1"}}},
                                   {"b", {SignatureMode::kEnforce, {"k3", "k2"}}},
                                   {"c", {SignatureMode::kEnforce, {"k2", "k4"}}},
                                   {"d", {SignatureMode::kOff, {"k5"}}}};
  EXPECT_EQ(effective_signature_policy(policies, {"a", "b", "c", "d"}),
            (SignaturePolicy{SignatureMode::kEnforce, {"k2", "k3", "k4"}}));
  EXPECT_EQ(effective_signature_policy(policies, {"a", "d", "x"}),
            (SignaturePolicy{SignatureMode::kWarn, {"k1"}}));
  EXPECT_EQ(effective_signature_policy(policies, {"d", "x"}), SignaturePolicy{});
  EXPECT_EQ(effective_signature_policy(policies, {}), SignaturePolicy{});
  EXPECT_EQ(effective_signature_policy({}, {"a"}), SignaturePolicy{});

  SatelliteState state;
  state.signature_policies = policies;
  auto artifact = sample().artifacts.at(0);
  artifact.groups = {"b", "d"};
  EXPECT_EQ(signature_policy_of(state, artifact),
            (SignaturePolicy{SignatureMode::kEnforce, {"k2", "k3"}}));
}

TEST(SignaturePolicyTest, ModesHaveTheirWireNames) {
  for (auto mode : {SignatureMode::kOff, SignatureMode::kWarn, SignatureMode::kEnforce})
    EXPECT_EQ(signature_mode_from_name(signature_mode_name(mode)), mode);
  EXPECT_EQ(signature_mode_name(SignatureMode::kEnforce), "enforce");
  EXPECT_FALSE(signature_mode_from_name("Enforce"));
}

}  // namespace
}  // namespace common::fleet_wire
