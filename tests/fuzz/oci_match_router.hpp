// The registry's /v2/ route table in a Router that only matches (its handlers never run):
// what the fuzz targets route paths through, built once per process.
#pragma once

#include <memory>

#include "common/http/router.hpp"
#include "fuzz_check.hpp"
#include "registry/http/oci_route.hpp"

namespace fuzz {

inline const common::http::Router& oci_match_router() {
  static const std::unique_ptr<common::http::Router> router = [] {
    auto built = std::make_unique<common::http::Router>(
        common::http::RouterConfig{[](const common::Error& e) {
          return common::http::Response(common::info(e.code()).http_status);
        }});
    for (const auto& endpoint : registry::http::oci_endpoints()) {
      FUZZ_CHECK(built
                     ->add({endpoint.methods, endpoint.pattern, endpoint.name,
                            [](common::http::Request&, const common::http::RouteMatch&)
                                -> boost::asio::awaitable<common::http::Response> {
                              co_return common::http::Response(200);
                            }})
                     .has_value());
    }
    return built;
  }();
  return *router;
}

}  // namespace fuzz
