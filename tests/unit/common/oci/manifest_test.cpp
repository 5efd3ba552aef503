#include "common/oci/manifest.hpp"

#include <gtest/gtest.h>

#include "common/oci/media_types.hpp"

namespace common::oci {
namespace {

const std::string kA = "sha256:" + std::string(64, 'a');
const std::string kB = "sha256:" + std::string(64, 'b');
const std::string kC = "sha256:" + std::string(64, 'c');

std::string image_manifest(const std::string& extra = "") {
  return R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",)"
         R"("config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":")" +
         kA +
         R"(","size":10},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":")" +
         kB + R"(","size":20}])" + extra + "}";
}

TEST(ManifestTest, ParsesImageManifest) {
  auto m = parse_manifest(image_manifest(), media_type::kOciManifest);
  ASSERT_TRUE(m.has_value()) << m.error().detail();
  EXPECT_FALSE(m->is_index);
  EXPECT_EQ(m->config->digest.str(), kA);
  ASSERT_EQ(m->layers.size(), 1u);
  EXPECT_EQ(m->layers[0].size, 20);
  EXPECT_EQ(m->artifact_type, "application/vnd.oci.image.config.v1+json");
  EXPECT_FALSE(m->subject.has_value());
}

TEST(ManifestTest, ParsesSubjectAndArtifactType) {
  auto m = parse_manifest(
      image_manifest(R"(,"artifactType":"application/x-sbom","subject":{"mediaType":)"
                     R"("application/vnd.oci.image.manifest.v1+json","digest":")" +
                     kC + R"(","size":5})"),
      "");
  ASSERT_TRUE(m.has_value()) << m.error().detail();
  EXPECT_EQ(m->artifact_type, "application/x-sbom");
  ASSERT_TRUE(m->subject.has_value());
  EXPECT_EQ(m->subject->digest.str(), kC);
}

TEST(ManifestTest, ParsesIndexAndDockerList) {
  const std::string index = R"({"schemaVersion":2,"manifests":[{"mediaType":)"
                            R"("application/vnd.docker.distribution.manifest.v2+json","digest":")" +
                            kA +
                            R"(","size":7,"platform":{"architecture":"amd64","os":"linux"}}]})";
  auto m = parse_manifest(index, media_type::kDockerManifestList);
  ASSERT_TRUE(m.has_value()) << m.error().detail();
  EXPECT_TRUE(m->is_index);
  EXPECT_EQ(m->media_type, media_type::kDockerManifestList);
  ASSERT_EQ(m->manifests.size(), 1u);
  auto by_shape = parse_manifest(index, "");
  ASSERT_TRUE(by_shape.has_value());
  EXPECT_EQ(by_shape->media_type, media_type::kOciIndex);
}

TEST(ManifestTest, RejectsMalformed) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"not json", media_type::kOciManifest.data()},
      {"[]", media_type::kOciManifest.data()},
      {R"({"schemaVersion":1})", media_type::kOciManifest.data()},
      {image_manifest(), std::string(media_type::kOciIndex)},  // body type disagrees with header
      {R"({"schemaVersion":2,"config":{"mediaType":"x","digest":"sha256:zz","size":1},"layers":[]})",
       ""},
      {R"({"schemaVersion":2,"config":{"mediaType":"x","digest":")" + kA +
           R"(","size":-1},"layers":[]})",
       ""},
      {R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","layers":[]})",
       ""},
      {R"({"schemaVersion":2,"manifests":"nope"})", std::string(media_type::kOciIndex)},
  };
  for (const auto& [body, type] : cases) {
    auto m = parse_manifest(body, type);
    ASSERT_FALSE(m.has_value()) << body;
    EXPECT_EQ(m.error().code(), ErrorCode::kManifestInvalid) << body;
  }
}

TEST(ManifestTest, UnknownMediaTypeIsUnsupported) {
  auto m = parse_manifest(R"({"schemaVersion":2,"config":{}})",
                          "application/vnd.docker.distribution.manifest.v1+prettyjws");
  ASSERT_FALSE(m.has_value());
  EXPECT_EQ(m.error().code(), ErrorCode::kUnsupported);
}

}  // namespace
}  // namespace common::oci
