// The /v2/ route table as the Router reads it: which route and parameters each path yields.
#include "registry/http/oci_route.hpp"

#include <gtest/gtest.h>

#include "common/http/router.hpp"
#include "registry/http/error_response.hpp"

namespace registry::http {
namespace {

using common::http::Method;
using common::http::RouteLookup;
using common::http::RouteMatch;

class OciRouteTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const auto& endpoint : oci_endpoints()) {
      ASSERT_TRUE(router_.add({endpoint.methods, endpoint.pattern, endpoint.name,
                               [](common::http::Request&, const RouteMatch&)
                                   -> boost::asio::awaitable<common::http::Response> {
                                 co_return common::http::Response(200);
                               }}))
          << endpoint.pattern;
    }
  }

  struct Parsed {
    std::string_view route;
    OciRoute oci;
  };
  Parsed parse(std::string_view path, Method method = Method::kGet) {
    RouteMatch match;
    const auto found = router_.find(method, path, match);
    EXPECT_EQ(found.outcome, RouteLookup::Outcome::kMatched) << path;
    return {match.route(), oci_route(match)};
  }
  RouteLookup::Outcome outcome(std::string_view path, Method method = Method::kGet) {
    RouteMatch match;
    return router_.find(method, path, match).outcome;
  }

  common::http::Router router_{common::http::RouterConfig{&error_response}};
};

TEST_F(OciRouteTest, EveryEndpoint) {
  EXPECT_EQ(parse("/v2/").route, "base");
  EXPECT_EQ(parse("/v2").route, "base");
  EXPECT_EQ(parse("/v2/_catalog").route, "catalog");
  auto tags = parse("/v2/library/nginx/tags/list");
  EXPECT_EQ(tags.route, "tags");
  EXPECT_EQ(tags.oci.name, "library/nginx");
  EXPECT_EQ(tags.oci.reference, "");
  auto manifest = parse("/v2/a/b/c/manifests/v1.0");
  EXPECT_EQ(manifest.route, "manifest");
  EXPECT_EQ(manifest.oci.name, "a/b/c");
  EXPECT_EQ(manifest.oci.reference, "v1.0");
  auto blob = parse("/v2/a/blobs/sha256:abc");
  EXPECT_EQ(blob.route, "blob");
  EXPECT_EQ(blob.oci.reference, "sha256:abc");
  EXPECT_EQ(parse("/v2/a/blobs/uploads/", Method::kPost).route, "upload_start");
  EXPECT_EQ(parse("/v2/a/blobs/uploads", Method::kPost).route, "upload_start");
  auto upload = parse("/v2/a/blobs/uploads/1234", Method::kPatch);
  EXPECT_EQ(upload.route, "upload");
  EXPECT_EQ(upload.oci.reference, "1234");
  EXPECT_EQ(parse("/v2/a/referrers/sha256:abc").route, "referrers");
}

TEST_F(OciRouteTest, NamesMayContainEndpointWords) {
  auto route = parse("/v2/team/manifests/blobs/manifests/latest");
  EXPECT_EQ(route.route, "manifest");
  EXPECT_EQ(route.oci.name, "team/manifests/blobs");
  EXPECT_EQ(route.oci.reference, "latest");
  auto uploads = parse("/v2/blobs/uploads/blobs/uploads/", Method::kPost);
  EXPECT_EQ(uploads.route, "upload_start");
  EXPECT_EQ(uploads.oci.name, "blobs/uploads");
}

TEST_F(OciRouteTest, PercentEncodingIsDecodedBeforeSplitting) {
  // An encoded slash becomes a real one; the name grammar then judges it like any other.
  auto route = parse("/v2/a%2Fb/manifests/v1");
  EXPECT_EQ(route.oci.name, "a/b");
  auto dots = parse("/v2/a/%2e%2e/b/manifests/v1");
  EXPECT_EQ(dots.oci.name, "a/../b");  // rejected later by validate_repository_name
  EXPECT_EQ(outcome("/v2/a%zz/manifests/v1"), RouteLookup::Outcome::kMalformedPath);
  // An upload id with an encoded '/' is not one segment: no endpoint.
  EXPECT_EQ(outcome("/v2/a/blobs/uploads/..%2F..%2Fpwned"), RouteLookup::Outcome::kNotFound);
}

TEST_F(OciRouteTest, UnknownPathsAreNotFound) {
  for (const char* path : {"/", "/v1/", "/v2/a", "/v2/a/unknown/x", "/v3/a/manifests/x"}) {
    EXPECT_EQ(outcome(path), RouteLookup::Outcome::kNotFound) << path;
  }
}

TEST_F(OciRouteTest, EachEndpointOffersItsMethods) {
  EXPECT_EQ(outcome("/v2/a/manifests/v1", Method::kPost), RouteLookup::Outcome::kMethodNotAllowed);
  EXPECT_EQ(outcome("/v2/a/tags/list", Method::kPatch), RouteLookup::Outcome::kMethodNotAllowed);
  EXPECT_EQ(outcome("/v2/a/blobs/uploads", Method::kGet), RouteLookup::Outcome::kMethodNotAllowed);
  EXPECT_EQ(outcome("/v2/a/blobs/uploads/1", Method::kHead),
            RouteLookup::Outcome::kMethodNotAllowed);
  EXPECT_EQ(outcome("/v2/a/manifests/v1", Method::kHead), RouteLookup::Outcome::kMatched);
  EXPECT_EQ(outcome("/v2/a/blobs/sha256:1", Method::kDelete), RouteLookup::Outcome::kMatched);
}

}  // namespace
}  // namespace registry::http
