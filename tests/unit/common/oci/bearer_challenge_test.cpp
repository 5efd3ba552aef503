// The token flow's parsers: challenges as registries (distribution, Harbor, Docker Hub,
// GHCR) send them, and token answers in both spellings: the shapes the one token-flow peer
// of image_puller_test (docker-registry with token_issuer.py) does not send.
#include "common/oci/bearer_challenge.hpp"

#include <gtest/gtest.h>

namespace common::oci {
namespace {

TEST(BearerChallengeTest, ReadsRealmServiceAndScope) {
  auto challenge = parse_bearer_challenge(
      R"(Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/alpine:pull")");
  ASSERT_TRUE(challenge.has_value());
  EXPECT_EQ(challenge->realm, "https://auth.docker.io/token");
  EXPECT_EQ(challenge->service, "registry.docker.io");
  EXPECT_EQ(challenge->scope, "repository:library/alpine:pull");
}

TEST(BearerChallengeTest, AcceptsAnyOrderCaseSpacingAndBareValues) {
  auto challenge = parse_bearer_challenge(
      R"(  bearer   Scope="repository:a/b:pull,push" ,  SERVICE=harbor-registry, realm = "https://h/service/token")");
  ASSERT_TRUE(challenge.has_value());
  EXPECT_EQ(challenge->realm, "https://h/service/token");
  EXPECT_EQ(challenge->service, "harbor-registry");
  EXPECT_EQ(challenge->scope, "repository:a/b:pull,push");  // a comma inside quotes stays
}

TEST(BearerChallengeTest, UnescapesQuotedValuesAndLeavesOutMissingParams) {
  auto challenge = parse_bearer_challenge(R"(Bearer realm="https://t/x\"y")");
  ASSERT_TRUE(challenge.has_value());
  EXPECT_EQ(challenge->realm, R"(https://t/x"y)");
  EXPECT_EQ(challenge->service, "");
  EXPECT_EQ(challenge->scope, "");
}

TEST(BearerChallengeTest, RefusesOtherSchemesAndChallengesWithoutRealm) {
  EXPECT_FALSE(parse_bearer_challenge(R"(Basic realm="test")").has_value());
  EXPECT_FALSE(parse_bearer_challenge(R"(Bearerx realm="https://t")").has_value());
  EXPECT_FALSE(parse_bearer_challenge(R"(Bearer service="s")").has_value());
  EXPECT_FALSE(parse_bearer_challenge(R"(Bearer realm="https://t)").has_value());  // unterminated
  EXPECT_FALSE(parse_bearer_challenge("").has_value());
  EXPECT_FALSE(parse_bearer_challenge("Bearer").has_value());
}

TEST(TokenResponseTest, ReadsTokenAndExpiry) {
  auto grant = parse_token_response(R"({"token":"abc","expires_in":300,"issued_at":"x"})");
  ASSERT_TRUE(grant.has_value());
  EXPECT_EQ(grant->token, "abc");
  EXPECT_EQ(grant->expires_in, std::chrono::seconds(300));
}

TEST(TokenResponseTest, FallsBackToAccessTokenAndTheDefaultLifetime) {
  auto grant = parse_token_response(R"({"access_token":"oauth"})");
  ASSERT_TRUE(grant.has_value());
  EXPECT_EQ(grant->token, "oauth");
  EXPECT_EQ(grant->expires_in, std::chrono::seconds(60));
  grant = parse_token_response(R"({"token":"t","access_token":"other","expires_in":-5})");
  ASSERT_TRUE(grant.has_value());
  EXPECT_EQ(grant->token, "t");
  EXPECT_EQ(grant->expires_in, std::chrono::seconds(60));
}

TEST(TokenResponseTest, RefusesAnswersWithoutAToken) {
  for (const char* body : {"", "not json", "[]", R"({"token":""})", R"({"token":5})", "{}"}) {
    auto grant = parse_token_response(body);
    ASSERT_FALSE(grant.has_value()) << body;
    EXPECT_EQ(grant.error().code(), common::ErrorCode::kPermissionDenied) << body;
  }
}

}  // namespace
}  // namespace common::oci
