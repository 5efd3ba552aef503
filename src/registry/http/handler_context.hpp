// What every /v2/ handler receives: the registry service and the bounded pool for its
// blocking calls. Handlers read top to bottom: validate the request into typed values,
// co_await one service call (offloaded when it blocks), map the Result to a Response.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/thread_pool.hpp>

#include "common/http/request.hpp"
#include "common/http/response.hpp"
#include "registry/http/content_fetcher.hpp"
#include "registry/http/oci_route.hpp"
#include "registry/registry_service.hpp"

namespace registry::http {

struct HandlerContext {
  RegistryService& service;
  boost::asio::thread_pool& pool;
  // Pull-through: fills what a pull misses from upstream; null when the registry is not a
  // proxy.
  ContentFetcher* fetcher = nullptr;
};

using HandlerResult = boost::asio::awaitable<common::http::Response>;

// Every handler below fits OciHandler and has one row in the table (oci_route.cpp); the
// Router has checked the method against the row's set before calling it.

// manifest_handlers.cpp
HandlerResult handle_manifest(HandlerContext& ctx, common::http::Request& request,
                              const OciRoute& route);
// blob_handlers.cpp
HandlerResult handle_blob(HandlerContext& ctx, common::http::Request& request,
                          const OciRoute& route);
// upload_handlers.cpp
HandlerResult handle_upload_start(HandlerContext& ctx, common::http::Request& request,
                                  const OciRoute& route);
HandlerResult handle_upload(HandlerContext& ctx, common::http::Request& request,
                            const OciRoute& route);
// listing_handlers.cpp
HandlerResult handle_base(HandlerContext& ctx, common::http::Request& request,
                          const OciRoute& route);
HandlerResult handle_tags(HandlerContext& ctx, common::http::Request& request,
                          const OciRoute& route);
HandlerResult handle_catalog(HandlerContext& ctx, common::http::Request& request,
                             const OciRoute& route);
HandlerResult handle_referrers(HandlerContext& ctx, common::http::Request& request,
                               const OciRoute& route);

// 405 UNSUPPORTED for a method the endpoint does not offer (a handler's defensive default).
common::http::Response method_not_allowed();

}  // namespace registry::http
