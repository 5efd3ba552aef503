// Manifests: GET/HEAD from the in-memory index, PUT and DELETE through the service.
#include "common/http/offload.hpp"
#include "registry/http/error_response.hpp"
#include "registry/http/handler_context.hpp"

namespace registry::http {

using common::http::Method;
using common::http::Response;

namespace {

bool is_unknown(const common::Error& error) {
  return error.code() == common::ErrorCode::kManifestUnknown ||
         error.code() == common::ErrorCode::kNameUnknown;
}

HandlerResult get_manifest(HandlerContext& ctx, const OciRoute& route) {
  auto answer = ctx.service.cached_manifest(route.name, route.reference);
  // A miss reads SQLite: on the pool, not on the I/O thread. (No co_await inside a ?: here:
  // g++ 12 destroys such an operand's temporaries twice.)
  if (!answer) {
    answer.emplace(co_await common::http::offload(
        ctx.pool, [&] { return ctx.service.get_manifest(route.name, route.reference); }));
  }
  if (!*answer && ctx.fetcher && is_unknown(answer->error())) {
    // Pull-through: fetched from upstream, then answered from what is now held.
    auto fetched = co_await common::http::offload(ctx.fetcher->pool(), [&] {
      return ctx.fetcher->fetch_manifest(route.name, route.reference);
    });
    if (!fetched && fetched.error().code() != common::ErrorCode::kManifestUnknown)
      co_return error_response(fetched.error());
    if (fetched)
      answer.emplace(co_await common::http::offload(
          ctx.pool, [&] { return ctx.service.get_manifest(route.name, route.reference); }));
  } else if (*answer && ctx.fetcher) {
    const auto held = (**answer)->digest;
    ctx.fetcher->served(route.name, held);
    if (!common::Digest::parse(route.reference) &&
        ctx.fetcher->revalidate(route.name, route.reference, held)) {
      // A tag the proxy cached follows the upstream; unreachable, what is held is served.
      auto fetched = co_await common::http::offload(ctx.fetcher->pool(), [&] {
        return ctx.fetcher->fetch_manifest(route.name, route.reference);
      });
      if (fetched) {
        auto current = co_await common::http::offload(
            ctx.pool, [&] { return ctx.service.get_manifest(route.name, route.reference); });
        if (current) answer.emplace(std::move(current));
      }
    }
  }
  auto& manifest = *answer;
  if (!manifest) co_return error_response(manifest.error());
  Response response(200);
  response.set("Content-Type", (*manifest)->media_type);
  response.set("Docker-Content-Digest", (*manifest)->digest_str);
  // Aliases the cached entry, so its bytes stay counted against the budget until sent.
  response.body = std::shared_ptr<const std::string>(*manifest, &(*manifest)->content);
  co_return response;
}

HandlerResult put_manifest(HandlerContext& ctx, common::http::Request& request,
                           const OciRoute& route) {
  // The body and what parsing keeps of it count against the manifest memory budget.
  auto reservation = ctx.service.manifest_budget().reserve();
  auto body = co_await common::http::read_body(
      *request.body, ctx.service.config().max_manifest_bytes, &reservation);
  if (!body) co_return error_response(body.error());
  const std::string content_type(request.header("Content-Type"));
  auto stored = co_await common::http::offload(ctx.pool, [&] {
    return ctx.service.put_manifest(route.name, route.reference, *body, content_type, &reservation);
  });
  if (!stored) co_return error_response(stored.error());
  Response response(201);
  const auto digest = stored->digest.str();
  response.set("Location", "/v2/" + route.name + "/manifests/" + digest);
  response.set("Docker-Content-Digest", digest);
  if (stored->subject) response.set("OCI-Subject", stored->subject->str());
  co_return response;
}

HandlerResult delete_manifest(HandlerContext& ctx, const OciRoute& route) {
  auto deleted = co_await common::http::offload(
      ctx.pool, [&] { return ctx.service.delete_manifest(route.name, route.reference); });
  if (!deleted) co_return error_response(deleted.error());
  co_return Response(202);
}

}  // namespace

HandlerResult handle_manifest(HandlerContext& ctx, common::http::Request& request,
                              const OciRoute& route) {
  switch (request.method) {
    case Method::kGet:
    case Method::kHead:
      return get_manifest(ctx, route);
    case Method::kPut:
      return put_manifest(ctx, request, route);
    case Method::kDelete:
      return delete_manifest(ctx, route);
    default:
      return [] -> HandlerResult { co_return method_not_allowed(); }();
  }
}

Response method_not_allowed() {
  return error_response(
      common::Error(common::ErrorCode::kUnsupported, "method not allowed on this endpoint"));
}

}  // namespace registry::http
