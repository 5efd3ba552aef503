#include "common/fleet_wire/state_manifest.hpp"

#include <gtest/gtest.h>

#include <string>

#include "common/crypto/hasher.hpp"

namespace common::fleet_wire {
namespace {

GroupState group(std::uint64_t version) {
  GroupState state;
  state.group = "edge";
  state.version = version;
  state.artifacts = {{"library/nginx",
                      Digest::from_hex(DigestAlgorithm::kSha256, std::string(64, 'a')),
                      {"1.25"},
                      "IMAGE"}};
  return state;
}

TEST(StateManifestTest, ManifestIsTheOciArtifactShapeByteForByte) {
  const auto rendered = render_state(group(4));
  const auto doc = crypto::digest_of(rendered.document);
  EXPECT_EQ(rendered.document_digest, doc);
  EXPECT_EQ(rendered.manifest,
            "{\"annotations\":{\"io.goharbor.satellite.state.version\":\"4\"},"
            "\"artifactType\":\"application/vnd.goharbor.satellite.group-state.v1+json\","
            "\"config\":{\"digest\":\"sha256:"
            "44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a\","
            "\"mediaType\":\"application/vnd.oci.empty.v1+json\",\"size\":2},"
            "\"layers\":[{\"annotations\":{\"org.opencontainers.image.title\":\"state.json\"},"
            "\"digest\":\"" +
                doc.str() +
                "\",\"mediaType\":\"application/vnd.goharbor.satellite.group-state.v1+json\","
                "\"size\":" +
                std::to_string(rendered.document.size()) +
                "}],\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
                "\"schemaVersion\":2}");
  EXPECT_EQ(rendered.manifest_digest, crypto::digest_of(rendered.manifest));
}

TEST(StateManifestTest, SameStateSameDigestAndAnyChangeAnother) {
  EXPECT_EQ(render_state(group(4)).manifest_digest, render_state(group(4)).manifest_digest);
  EXPECT_NE(render_state(group(4)).manifest_digest, render_state(group(5)).manifest_digest);
  auto retagged = group(4);
  retagged.artifacts[0].tags.push_back("latest");
  EXPECT_NE(render_state(retagged).manifest_digest, render_state(group(4)).manifest_digest);
  // Each kind has its own artifactType.
  SatelliteStateRef satellite{"edge-01", 1, {}, "", "", ""};
  ConfigState config;
  config.version = 1;
  EXPECT_EQ(render_state(satellite).artifact_type, kSatelliteStateArtifactType);
  EXPECT_EQ(render_state(config).artifact_type, kConfigStateArtifactType);
}

TEST(StateManifestTest, ParsesWhatItRenders) {
  const auto rendered = render_state(group(9));
  auto parsed = parse_state_manifest(rendered.manifest, kGroupStateArtifactType);
  ASSERT_TRUE(parsed) << parsed.error().message();
  EXPECT_EQ(parsed->version, 9u);
  EXPECT_EQ(parsed->document.digest, rendered.document_digest);
  EXPECT_EQ(parsed->document.size, static_cast<std::int64_t>(rendered.document.size()));
}

TEST(StateManifestTest, RefusesOtherKindsAndShapes) {
  const auto rendered = render_state(group(9));
  const auto refused = [](std::string_view manifest, std::string_view type) {
    auto parsed = parse_state_manifest(manifest, type);
    EXPECT_FALSE(parsed);
    return parsed ? std::string() : parsed.error().message();
  };
  EXPECT_NE(refused(rendered.manifest, kConfigStateArtifactType).find("artifactType"),
            std::string::npos);
  auto no_version = rendered.manifest;
  const std::string version = "state.version\":\"9\"";
  no_version.replace(no_version.find(version), version.size(), "state.version\":\"x\"");
  EXPECT_NE(refused(no_version, kGroupStateArtifactType).find("not a version"), std::string::npos);
  auto image_config = rendered.manifest;
  image_config.replace(image_config.find("application/vnd.oci.empty.v1+json"),
                       std::string_view("application/vnd.oci.empty.v1+json").size(),
                       "application/vnd.oci.image.config.v1+json");
  EXPECT_NE(refused(image_config, kGroupStateArtifactType).find("empty descriptor"),
            std::string::npos);
  EXPECT_FALSE(refused("{}", kGroupStateArtifactType).empty());
}

}  // namespace
}  // namespace common::fleet_wire
