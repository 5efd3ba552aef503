// Router: the declarative route table both HTTP servers dispatch through (Envoy admin.cc-style):
// each Route is (method set, path pattern, route name, handler), plus optional filters, which
// are steps run before the handler that may answer instead (authentication, read-only mode).
// handle() is the Server's Handler: it matches the request, runs the filters, awaits the
// handler and stamps Response::route with the route name, so access logs and Metrics see it.
//
// Patterns are matched against the percent-decoded path (an encoded '/' is a real '/': one
// grammar for both, which the OCI name rules rely on). Segments are
//   literal     /v2/_catalog           the segment equals the text
//   {param}     /api/v1/groups/{group} exactly one segment, not empty
//   {name...}   /v2/{name...}/tags/list one or more segments (their '/' included), at most
//                                      one per pattern; the segments after it are then
//                                      matched from the end of the path
//   {param}:verb /api/v1/groups/{name}:sync  a segment ending in ":verb", the parameter
//                                      what precedes it, not empty (a custom method, as
//                                      Google's AIP-136 and Flight Control write them); the
//                                      verb counts as a literal, so it outweighs {param}
// The greedy form is how the OCI registry's names with slashes are routed: a name may even
// contain "manifests" or "blobs" as components, and matching the fixed suffix from the end
// tells the endpoint apart without a per-family matcher function. A trailing '/' is an empty
// final segment, so "/v2" and "/v2/" are two patterns.
//
// Precedence: a path names one resource, the most specific pattern that matches it: a pattern
// with fewer parameters wins (a {name...} outweighs any number of {param}), then the one with
// more literal segments, then the one registered first. Routes registered with the identical
// pattern form one resource and must have disjoint method sets. A resource matching the path
// but not the method gets 405 with an Allow header, after its first route's filters have let
// the request through (an unauthenticated client learns nothing); no resource gets 404; a
// malformed escape gets RouterConfig::malformed_path. Those answers are written by
// RouterConfig::write_error in the API family's error envelope.
//
// Lookup walks the resources in precedence order and allocates nothing for a path without
// escapes (a registry serves ~100k manifest GET/s through it).
// Ownership: patterns and names are views and must outlive the Router (string literals).
// Thread-safety: add() before serving, from one thread; find() and handle() from any thread.
#pragma once

#include <boost/asio/awaitable.hpp>

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/http/method_set.hpp"
#include "common/http/request.hpp"
#include "common/http/response.hpp"
#include "common/http/route_match.hpp"
#include "common/result.hpp"

namespace common::http {

class Metrics;

using RouteHandler = std::function<boost::asio::awaitable<Response>(Request&, const RouteMatch&)>;
// nullopt lets the request go on; a Response is sent instead of calling the handler.
using Filter =
    std::function<boost::asio::awaitable<std::optional<Response>>(Request&, const RouteMatch&)>;
// Turns one of the router's own refusals (404, 405, malformed path) into a Response.
using ErrorWriter = std::function<Response(const Error&)>;

struct Route {
  MethodSet methods;
  std::string_view pattern;  // e.g. "/api/v1/satellites/{name}"
  std::string_view name;     // metrics and log label: [a-z0-9_]+, e.g. "satellite"
  RouteHandler handler;
  std::vector<Filter> filters = {};  // run in order; the first answer wins
};

struct RouterConfig {
  // Writes 404, 405 (the Router adds Allow) and malformed-path answers; required.
  ErrorWriter write_error;
  // The code of the answer to a path whose percent-encoding is malformed.
  ErrorCode malformed_path = ErrorCode::kInvalidArgument;
  // Set on every response the Router returns (a protocol version header, say).
  std::vector<std::pair<std::string, std::string>> headers = {};
};

struct RouteLookup {
  enum class Outcome { kMatched, kNotFound, kMethodNotAllowed, kMalformedPath };
  Outcome outcome = Outcome::kNotFound;
  // kMatched: the route to run. kMethodNotAllowed: the resource's first route (its filters
  // and name apply to the 405). Null otherwise.
  const Route* route = nullptr;
  MethodSet allowed;  // kMethodNotAllowed: every method the resource offers
};

class Router {
 public:
  // `metrics`, when given, gets every route name registered (Metrics::add_route).
  explicit Router(RouterConfig config, Metrics* metrics = nullptr);
  Router(const Router&) = delete;
  Router& operator=(const Router&) = delete;

  // Adds a route. kInvalidArgument for a malformed pattern (no leading '/', an empty or
  // duplicate parameter name, two {name...}, more than RouteMatch::kMaxParams parameters), a
  // bad name, an empty method set or no handler; kAlreadyExists when a route with the same
  // pattern already offers one of the methods.
  [[nodiscard]] Status add(Route route);

  // Matches `method` and the raw (still percent-encoded) `raw_path`, filling `match`.
  RouteLookup find(Method method, std::string_view raw_path, RouteMatch& match) const;

  // The Server Handler: routes, filters, handles; never throws for an unmatched request.
  boost::asio::awaitable<Response> handle(Request& request) const;

 private:
  struct Segment {
    enum class Kind { kLiteral, kParam, kGreedy };
    Kind kind;
    std::string_view text;  // literal text or parameter name
    std::string_view verb;  // a {param}:verb segment's verb (a custom method); else empty
  };
  struct Resource {
    std::string_view pattern;
    std::vector<Segment> prefix;             // up to the {name...} segment, or every segment
    std::optional<std::string_view> greedy;  // its parameter name
    std::vector<Segment> suffix;             // after the {name...} segment
    std::size_t params = 0;
    std::size_t literals = 0;
    std::size_t order = 0;
    std::vector<std::size_t> routes;  // indices into routes_
    MethodSet methods;
  };

  static Result<Resource> compile(std::string_view pattern);
  static bool precedes(const Resource& a, const Resource& b);
  static bool match(const Resource& resource, std::string_view path, RouteMatch& match);
  Response refuse(const Error& error, std::string_view route) const;
  void finish(Response& response) const;

  RouterConfig config_;
  Metrics* metrics_;
  std::vector<Route> routes_;
  std::vector<Resource> resources_;  // in precedence order
};

}  // namespace common::http
