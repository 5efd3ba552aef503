#include "common/http/router.hpp"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include "common/http/api_error.hpp"
#include "common/http/metrics.hpp"

namespace common::http {
namespace {

using Outcome = RouteLookup::Outcome;

RouteHandler answer(int status) {
  return [status](Request&, const RouteMatch&) -> boost::asio::awaitable<Response> {
    co_return Response(status);
  };
}

Router make_router() {
  return Router(RouterConfig{&api_error_response});
}

Response run(const Router& router, Method method, std::string_view path) {
  boost::asio::io_context io;
  Request request;
  request.method = method;
  request.target = path;
  request.path = path;
  auto future = boost::asio::co_spawn(io, router.handle(request), boost::asio::use_future);
  io.run();
  return future.get();
}

TEST(RouterTest, MatchesLiteralsAndParams) {
  auto router = make_router();
  ASSERT_TRUE(router.add({{Method::kGet}, "/api/v1/satellites", "satellites", answer(200)}));
  ASSERT_TRUE(router.add({{Method::kGet}, "/api/v1/satellites/{name}", "satellite", answer(200)}));
  ASSERT_TRUE(
      router.add({{Method::kPut}, "/api/v1/groups/{group}/state", "group_state", answer(200)}));
  RouteMatch match;
  auto found = router.find(Method::kGet, "/api/v1/satellites", match);
  EXPECT_EQ(found.outcome, Outcome::kMatched);
  EXPECT_EQ(match.route(), "satellites");
  EXPECT_TRUE(match.params().empty());

  found = router.find(Method::kGet, "/api/v1/satellites/edge-1", match);
  ASSERT_EQ(found.outcome, Outcome::kMatched);
  EXPECT_EQ(found.route->name, "satellite");
  EXPECT_EQ(match.param("name"), "edge-1");
  EXPECT_EQ(match.param("missing"), "");

  found = router.find(Method::kPut, "/api/v1/groups/eu/state", match);
  ASSERT_EQ(found.outcome, Outcome::kMatched);
  EXPECT_EQ(match.param("group"), "eu");

  // A {param} is exactly one non-empty segment.
  EXPECT_EQ(router.find(Method::kGet, "/api/v1/satellites/", match).outcome, Outcome::kNotFound);
  EXPECT_EQ(router.find(Method::kGet, "/api/v1/satellites/a/b", match).outcome, Outcome::kNotFound);
  EXPECT_EQ(router.find(Method::kGet, "/api/v1", match).outcome, Outcome::kNotFound);
  EXPECT_EQ(router.find(Method::kGet, "*", match).outcome, Outcome::kNotFound);
  EXPECT_EQ(match.route(), "unmatched");
}

TEST(RouterTest, GreedyParamSpansSegmentsBeforeAFixedSuffix) {
  auto router = make_router();
  ASSERT_TRUE(
      router.add({{Method::kGet}, "/v2/{name...}/manifests/{reference}", "manifest", answer(200)}));
  ASSERT_TRUE(router.add({{Method::kGet}, "/files/{path...}", "file", answer(200)}));
  RouteMatch match;
  ASSERT_EQ(router.find(Method::kGet, "/v2/a/b/c/manifests/v1", match).outcome, Outcome::kMatched);
  EXPECT_EQ(match.param("name"), "a/b/c");
  EXPECT_EQ(match.param("reference"), "v1");
  // The suffix is matched from the end, so the name may contain the suffix's words.
  ASSERT_EQ(router.find(Method::kGet, "/v2/x/manifests/y/manifests/z", match).outcome,
            Outcome::kMatched);
  EXPECT_EQ(match.param("name"), "x/manifests/y");
  // At least one segment (possibly empty: the handler judges it).
  EXPECT_EQ(router.find(Method::kGet, "/v2/manifests/v1", match).outcome, Outcome::kNotFound);
  ASSERT_EQ(router.find(Method::kGet, "/v2//manifests/v1", match).outcome, Outcome::kMatched);
  EXPECT_EQ(match.param("name"), "");
  ASSERT_EQ(router.find(Method::kGet, "/files/a/b.txt", match).outcome, Outcome::kMatched);
  EXPECT_EQ(match.param("path"), "a/b.txt");
  EXPECT_EQ(router.find(Method::kGet, "/files", match).outcome, Outcome::kNotFound);
}

TEST(RouterTest, PathIsPercentDecodedBeforeMatching) {
  auto router = make_router();
  ASSERT_TRUE(router.add({{Method::kGet}, "/v2/{name...}/tags/list", "tags", answer(200)}));
  RouteMatch match;
  ASSERT_EQ(router.find(Method::kGet, "/v2/a%2Fb/tags/%6Cist", match).outcome, Outcome::kMatched);
  EXPECT_EQ(match.param("name"), "a/b");
  EXPECT_EQ(match.path(), "/v2/a/b/tags/list");
  EXPECT_EQ(router.find(Method::kGet, "/v2/a%zz/tags/list", match).outcome,
            Outcome::kMalformedPath);
  auto response = run(router, Method::kGet, "/v2/a%zz/tags/list");
  EXPECT_EQ(response.status, 400);
  EXPECT_EQ(response.route, "unmatched");
}

TEST(RouterTest, NoRouteIs404AndAWrongMethodIs405WithAllow) {
  auto router = make_router();
  ASSERT_TRUE(router.add(
      {{Method::kGet, Method::kHead}, "/api/v1/satellites/{name}", "satellite_get", answer(200)}));
  ASSERT_TRUE(router.add(
      {{Method::kDelete}, "/api/v1/satellites/{name}", "satellite_delete", answer(204)}));
  RouteMatch match;
  auto found = router.find(Method::kPost, "/api/v1/satellites/x", match);
  ASSERT_EQ(found.outcome, Outcome::kMethodNotAllowed);
  EXPECT_EQ(found.allowed.to_allow_header(), "GET, HEAD, DELETE");
  EXPECT_EQ(found.route->name, "satellite_get");

  EXPECT_EQ(run(router, Method::kDelete, "/api/v1/satellites/x").status, 204);
  auto refused = run(router, Method::kPatch, "/api/v1/satellites/x");
  EXPECT_EQ(refused.status, 405);
  EXPECT_EQ(refused.route, "satellite_get");
  bool has_allow = false;
  for (const auto& [name, value] : refused.headers) {
    if (name == "Allow") {
      has_allow = true;
      EXPECT_EQ(value, "GET, HEAD, DELETE");
    }
  }
  EXPECT_TRUE(has_allow);
  auto missing = run(router, Method::kGet, "/api/v2/nothing");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(missing.route, "unmatched");
  EXPECT_EQ(std::get<std::string>(missing.body),
            R"({"error":{"code":"NOT_FOUND","message":"no such endpoint"}})");
}

TEST(RouterTest, FewerParamsThenMoreLiteralsThenFirstRegisteredWins) {
  auto router = make_router();
  // Registered from least to most specific: order must not matter.
  ASSERT_TRUE(router.add({{Method::kGet}, "/v2/{name...}/blobs/{digest}", "blob", answer(200)}));
  ASSERT_TRUE(
      router.add({{Method::kPost}, "/v2/{name...}/blobs/uploads", "upload_start", answer(202)}));
  ASSERT_TRUE(router.add({{Method::kGet}, "/a/{x}", "param", answer(200)}));
  ASSERT_TRUE(router.add({{Method::kGet}, "/a/{x...}", "greedy", answer(200)}));
  ASSERT_TRUE(router.add({{Method::kGet}, "/a/fixed", "literal", answer(200)}));
  ASSERT_TRUE(router.add({{Method::kGet}, "/b/{x}/c", "first", answer(200)}));
  ASSERT_TRUE(router.add({{Method::kGet}, "/b/c/{y}", "second", answer(200)}));
  RouteMatch match;
  EXPECT_EQ(router.find(Method::kGet, "/a/fixed", match).route->name, "literal");
  EXPECT_EQ(router.find(Method::kGet, "/a/other", match).route->name, "param");
  EXPECT_EQ(router.find(Method::kGet, "/a/b/c", match).route->name, "greedy");
  EXPECT_EQ(router.find(Method::kGet, "/b/c/c", match).route->name, "first");
  EXPECT_EQ(router.find(Method::kGet, "/v2/r/blobs/sha256:1", match).route->name, "blob");
  // The literal "uploads" names the resource: a GET is refused there, not sent to {digest}.
  auto found = router.find(Method::kGet, "/v2/r/blobs/uploads", match);
  EXPECT_EQ(found.outcome, Outcome::kMethodNotAllowed);
  EXPECT_EQ(found.allowed.to_allow_header(), "POST");
}

TEST(RouterTest, AParamWithAVerbIsACustomMethodThatOutweighsThePlainParam) {
  auto router = make_router();
  ASSERT_TRUE(
      router.add({{Method::kGet, Method::kPost}, "/api/v1/groups/{name}", "group", answer(200)}));
  ASSERT_TRUE(
      router.add({{Method::kPost}, "/api/v1/groups/{name}:sync", "group_sync", answer(202)}));
  RouteMatch match;
  auto found = router.find(Method::kPost, "/api/v1/groups/eu:sync", match);
  ASSERT_EQ(found.outcome, Outcome::kMatched);
  EXPECT_EQ(found.route->name, "group_sync");
  EXPECT_EQ(match.param("name"), "eu");
  // Another verb, or none before it, is the plain {name}'s.
  found = router.find(Method::kPost, "/api/v1/groups/eu:test", match);
  ASSERT_EQ(found.outcome, Outcome::kMatched);
  EXPECT_EQ(found.route->name, "group");
  found = router.find(Method::kPost, "/api/v1/groups/:sync", match);
  ASSERT_EQ(found.outcome, Outcome::kMatched);
  EXPECT_EQ(match.param("name"), ":sync");
  found = router.find(Method::kPost, "/api/v1/groups/eusync", match);
  EXPECT_EQ(found.route->name, "group");
  EXPECT_EQ(router.find(Method::kGet, "/api/v1/groups/eu:sync", match).outcome,
            Outcome::kMethodNotAllowed);
}

TEST(RouterTest, RefusesMalformedTables) {
  auto router = make_router();
  EXPECT_FALSE(router.add({{Method::kGet}, "no-slash", "x", answer(200)}));
  EXPECT_FALSE(router.add({{Method::kGet}, "/a/{}", "x", answer(200)}));
  EXPECT_FALSE(router.add({{Method::kGet}, "/a/{p}/{p}", "x", answer(200)}));
  EXPECT_FALSE(router.add({{Method::kGet}, "/{a...}/{b...}", "x", answer(200)}));
  EXPECT_FALSE(router.add({{Method::kGet}, "/a{b}", "x", answer(200)}));
  EXPECT_FALSE(router.add({{Method::kGet}, "/a/{b}:", "x", answer(200)}));
  EXPECT_FALSE(router.add({{Method::kGet}, "/a/{b...}:v", "x", answer(200)}));
  EXPECT_FALSE(router.add({{Method::kGet}, "/a/{b}:v{c}", "x", answer(200)}));
  EXPECT_FALSE(router.add({{Method::kGet}, "/a", "Bad-Name", answer(200)}));
  EXPECT_FALSE(router.add({{}, "/a", "x", answer(200)}));
  EXPECT_FALSE(router.add({{Method::kGet}, "/a", "x", nullptr}));
  ASSERT_TRUE(router.add({{Method::kGet}, "/a", "x", answer(200)}));
  auto duplicate = router.add({{Method::kGet, Method::kPut}, "/a", "y", answer(200)});
  ASSERT_FALSE(duplicate);
  EXPECT_EQ(duplicate.error().code(), ErrorCode::kAlreadyExists);
}

TEST(RouterTest, FiltersRunInOrderAndMayAnswer) {
  auto router = make_router();
  std::vector<std::string> seen;
  const auto pass =
      [&seen](Request&, const RouteMatch& m) -> boost::asio::awaitable<std::optional<Response>> {
    seen.emplace_back(m.route());
    co_return std::nullopt;
  };
  const auto deny = [](Request& r,
                       const RouteMatch&) -> boost::asio::awaitable<std::optional<Response>> {
    if (r.header("Authorization").empty()) co_return Response(401);
    co_return std::nullopt;
  };
  ASSERT_TRUE(router.add({{Method::kGet}, "/secret", "secret", answer(200), {pass, deny}}));
  auto refused = run(router, Method::kGet, "/secret");
  EXPECT_EQ(refused.status, 401);
  EXPECT_EQ(refused.route, "secret");
  // A wrong method is answered only after the filters let the request through.
  EXPECT_EQ(run(router, Method::kPost, "/secret").status, 401);
  EXPECT_EQ(seen, (std::vector<std::string>{"secret", "secret"}));
}

TEST(RouterTest, AddsConfiguredHeadersAndRegistersRouteNames) {
  Metrics metrics("test");
  RouterConfig config{&api_error_response};
  config.headers = {{"X-Api", "1"}};
  Router router(std::move(config), &metrics);
  ASSERT_TRUE(router.add({{Method::kGet}, "/x", "x_route", answer(200)}));
  auto response = run(router, Method::kGet, "/x");
  EXPECT_EQ(response.route, "x_route");
  ASSERT_EQ(response.headers.size(), 1u);
  EXPECT_EQ(response.headers[0].first, "X-Api");
  EXPECT_EQ(run(router, Method::kGet, "/y").headers.size(), 2u);  // Content-Type, X-Api
  metrics.record(response.route, 200, 0, std::chrono::milliseconds(1));
  EXPECT_NE(metrics.render().find("test_http_requests_total{route=\"x_route\",status=\"200\"} 1"),
            std::string::npos);
}

}  // namespace
}  // namespace common::http
