// The /v2/ route table: one row per distribution-spec endpoint (end-1 … end-13) with its
// methods, path pattern, route name and handler, matched by common::http::Router (which
// percent-decodes the path first, so an encoded '/' or '.' is judged by the same name grammar
// as a plain one), and OciRoute, the typed view of a match every handler receives. Names and
// references are passed on unvalidated in form; RegistryService validates them.
// Thread-safety: immutable data.
#pragma once

#include <boost/asio/awaitable.hpp>

#include <span>
#include <string>
#include <string_view>

#include "common/http/method_set.hpp"
#include "common/http/request.hpp"
#include "common/http/response.hpp"
#include "common/http/route_match.hpp"

namespace registry::http {

struct HandlerContext;

struct OciRoute {
  std::string name;       // repository; empty for /v2/ and /v2/_catalog
  std::string reference;  // tag, digest or upload id, as the endpoint says
};

using OciHandler = boost::asio::awaitable<common::http::Response> (*)(HandlerContext&,
                                                                      common::http::Request&,
                                                                      const OciRoute&);

struct OciEndpoint {
  common::http::MethodSet methods;
  std::string_view pattern;  // {name...} is the repository, the other parameter the reference
  std::string_view name;     // route name in logs and metrics
  OciHandler handler;
};

// The table, in no particular order (the Router orders by specificity).
std::span<const OciEndpoint> oci_endpoints() noexcept;

// The repository ({name...}) and the reference (the other parameter, if any) of a match.
OciRoute oci_route(const common::http::RouteMatch& match);

}  // namespace registry::http
