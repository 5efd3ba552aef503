#include "common/fleet_wire/satellite_state.hpp"

#include <gtest/gtest.h>

#include <string>

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

}  // namespace
}  // namespace common::fleet_wire
