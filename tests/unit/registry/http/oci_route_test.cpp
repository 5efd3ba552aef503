#include "registry/http/oci_route.hpp"

#include <gtest/gtest.h>

namespace registry::http {
namespace {

OciRoute parse(std::string_view path) {
  auto route = parse_oci_route(path);
  EXPECT_TRUE(route.has_value()) << path;
  return route.value_or(OciRoute{});
}

TEST(OciRouteTest, EveryEndpoint) {
  EXPECT_EQ(parse("/v2/").endpoint, OciEndpoint::kBase);
  EXPECT_EQ(parse("/v2").endpoint, OciEndpoint::kBase);
  EXPECT_EQ(parse("/v2/_catalog").endpoint, OciEndpoint::kCatalog);
  auto tags = parse("/v2/library/nginx/tags/list");
  EXPECT_EQ(tags.endpoint, OciEndpoint::kTags);
  EXPECT_EQ(tags.name, "library/nginx");
  auto manifest = parse("/v2/a/b/c/manifests/v1.0");
  EXPECT_EQ(manifest.endpoint, OciEndpoint::kManifest);
  EXPECT_EQ(manifest.name, "a/b/c");
  EXPECT_EQ(manifest.reference, "v1.0");
  auto blob = parse("/v2/a/blobs/sha256:abc");
  EXPECT_EQ(blob.endpoint, OciEndpoint::kBlob);
  EXPECT_EQ(blob.reference, "sha256:abc");
  EXPECT_EQ(parse("/v2/a/blobs/uploads/").endpoint, OciEndpoint::kUploads);
  EXPECT_EQ(parse("/v2/a/blobs/uploads").endpoint, OciEndpoint::kUploads);
  auto upload = parse("/v2/a/blobs/uploads/1234");
  EXPECT_EQ(upload.endpoint, OciEndpoint::kUpload);
  EXPECT_EQ(upload.reference, "1234");
  EXPECT_EQ(parse("/v2/a/referrers/sha256:abc").endpoint, OciEndpoint::kReferrers);
}

TEST(OciRouteTest, NamesMayContainEndpointWords) {
  auto route = parse("/v2/team/manifests/blobs/manifests/latest");
  EXPECT_EQ(route.endpoint, OciEndpoint::kManifest);
  EXPECT_EQ(route.name, "team/manifests/blobs");
  EXPECT_EQ(route.reference, "latest");
}

TEST(OciRouteTest, PercentEncodingIsDecodedBeforeSplitting) {
  // An encoded slash becomes a real one; the name grammar then judges it like any other.
  auto route = parse("/v2/a%2Fb/manifests/v1");
  EXPECT_EQ(route.name, "a/b");
  auto dots = parse("/v2/a/%2e%2e/b/manifests/v1");
  EXPECT_EQ(dots.name, "a/../b");  // rejected later by validate_repository_name
  auto bad = parse_oci_route("/v2/a%zz/manifests/v1");
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().code(), common::ErrorCode::kNameInvalid);
}

TEST(OciRouteTest, UnknownPathsAreNotFound) {
  for (const char* path : {"/", "/v1/", "/v2/a", "/v2/a/unknown/x", "/v3/a/manifests/x"}) {
    auto route = parse_oci_route(path);
    ASSERT_FALSE(route.has_value()) << path;
    EXPECT_EQ(route.error().code(), common::ErrorCode::kNotFound) << path;
  }
}

}  // namespace
}  // namespace registry::http
