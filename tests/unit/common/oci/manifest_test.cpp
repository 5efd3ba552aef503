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

// schemaVersion is the integer 2, not a number that truncates or rounds to it.
TEST(ManifestTest, SchemaVersionMustBeExactlyTheInteger2) {
  for (const char* version :
       {"4294967298", "-4294967294", "18446744069414584322", "2.0", "\"2\"", "3", "null"}) {
    SCOPED_TRACE(version);
    auto m = parse_manifest(std::string(R"({"schemaVersion":)") + version +
                                R"(,"config":{"mediaType":"a","digest":"sha256:)" +
                                std::string(64, '0') + R"(","size":1},"layers":[]})",
                            "application/vnd.oci.image.manifest.v1+json");
    ASSERT_FALSE(m.has_value());
    EXPECT_EQ(m.error().code(), ErrorCode::kManifestInvalid);
  }
}

// Two values for one field would let two parsers see two manifests in the same bytes.
TEST(ManifestTest, DuplicateFieldsAreRefused) {
  const std::string config =
      R"({"mediaType":"a","digest":"sha256:)" + std::string(64, '0') + R"(","size":1})";
  auto m = parse_manifest(
      R"({"schemaVersion":2,"config":)" + config + R"(,"config":)" + config + R"(,"layers":[]})",
      "application/vnd.oci.image.manifest.v1+json");
  ASSERT_FALSE(m.has_value());
  EXPECT_EQ(m.error().code(), ErrorCode::kManifestInvalid);
}

// 8 MiB of nested arrays is valid JSON; it is refused at the nesting limit without building
// anything, and unknown fields of any size are skipped without being kept.
TEST(ManifestTest, DeepNestingIsRefusedAndUnknownFieldsCostNothing) {
  const std::size_t depth = 4 * 1024 * 1024;
  std::string nested =
      R"({"schemaVersion":2,"x":)" + std::string(depth, '[') + std::string(depth, ']') + "}";
  auto deep = parse_manifest(nested, "");
  ASSERT_FALSE(deep.has_value());
  EXPECT_EQ(deep.error().code(), ErrorCode::kManifestInvalid);
  EXPECT_NE(deep.error().detail().find("nesting"), std::string::npos);

  std::string wide = R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json",)"
                     R"("manifests":[],"x":[)";
  for (int i = 0; i < 1'000'000; ++i) wide += "[],";
  wide += "[]]}";
  common::MemoryBudget budget(64 * 1024);
  auto reservation = budget.reserve();
  ParseLimits limits;
  limits.reservation = &reservation;
  auto m = parse_manifest(wide, "", limits);
  ASSERT_TRUE(m.has_value()) << m.error().detail();
  EXPECT_TRUE(m->is_index);
  EXPECT_LE(reservation.bytes(), 64u * 1024);
}

// What the result keeps counts against the caller's reservation: past the budget the parse
// stops with kTooManyRequests instead of growing the process.
TEST(ManifestTest, WhatTheResultKeepsCountsAgainstTheReservation) {
  std::string index = R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json",)"
                      R"("manifests":[)";
  for (int i = 0; i < 20'000; ++i) {
    if (i > 0) index += ",";
    index += R"({"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:)" +
             std::string(64, '0') + R"(","size":1})";
  }
  index += "]}";
  common::MemoryBudget small(256 * 1024);
  auto reservation = small.reserve();
  ParseLimits limits;
  limits.reservation = &reservation;
  auto refused = parse_manifest(index, "", limits);
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().code(), ErrorCode::kTooManyRequests);

  common::MemoryBudget enough(64 * 1024 * 1024);
  auto roomy = enough.reserve();
  limits.reservation = &roomy;
  auto parsed = parse_manifest(index, "", limits);
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(parsed->manifests.size(), 20'000u);
}

}  // namespace
}  // namespace common::oci
