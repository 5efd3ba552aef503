// Blobs: HEAD/GET (with Range, streamed from disk) and DELETE of a repository's link.
#include "common/http/offload.hpp"
#include "registry/http/byte_range.hpp"
#include "registry/http/error_response.hpp"
#include "registry/http/handler_context.hpp"

namespace registry::http {

using common::http::Method;
using common::http::Response;

namespace {

void set_blob_headers(Response& response, const std::string& digest) {
  response.set("Content-Type", "application/octet-stream");
  response.set("Docker-Content-Digest", digest);
  response.set("Accept-Ranges", "bytes");
}

// Pull-through: a blob asked for without its manifest (a client that resolved the manifest
// elsewhere) is fetched from upstream. True when the lookup is worth repeating; the error to
// answer with when the fetch failed otherwise than "unknown".
boost::asio::awaitable<common::Result<bool>> fetch_missing(HandlerContext& ctx,
                                                           const common::Error& miss,
                                                           const common::Digest& digest,
                                                           const OciRoute& route) {
  if (!ctx.fetcher || miss.code() != common::ErrorCode::kBlobUnknown) co_return false;
  auto fetched = co_await common::http::offload(
      ctx.fetcher->pool(), [&] { return ctx.fetcher->fetch_blob(route.name, digest); });
  if (fetched) co_return true;
  if (fetched.error().code() == common::ErrorCode::kBlobUnknown) co_return false;
  co_return common::fail(fetched.error());
}

HandlerResult get_blob(HandlerContext& ctx, common::http::Request& request,
                       const common::Digest& digest, const OciRoute& route) {
  if (request.method == Method::kHead) {
    auto size = ctx.service.stat_blob(route.name, digest);
    if (!size) {
      auto again = co_await fetch_missing(ctx, size.error(), digest, route);
      if (!again) co_return error_response(again.error());
      if (*again) size = ctx.service.stat_blob(route.name, digest);
    }
    if (!size) co_return error_response(size.error());
    Response response(200);
    set_blob_headers(response, digest.str());
    response.content_length = *size;
    co_return response;
  }
  auto blob = ctx.service.open_blob(route.name, digest);
  if (!blob) {
    auto again = co_await fetch_missing(ctx, blob.error(), digest, route);
    if (!again) co_return error_response(again.error());
    if (*again) blob = ctx.service.open_blob(route.name, digest);
  }
  if (!blob) co_return error_response(blob.error());
  auto range = parse_byte_range(request.header("Range"), blob->size);
  if (!range) {
    auto response = error_response(range.error());
    response.set("Content-Range", "bytes */" + std::to_string(blob->size));
    co_return response;
  }
  Response response(200);
  set_blob_headers(response, digest.str());
  common::http::FileRange file{std::move(blob->fd), 0, blob->size};
  if (*range) {
    response.status = 206;
    file.offset = (*range)->first;
    file.length = (*range)->length();
    response.set("Content-Range", "bytes " + std::to_string((*range)->first) + "-" +
                                      std::to_string((*range)->last) + "/" +
                                      std::to_string(blob->size));
  }
  response.body = std::move(file);
  co_return response;
}

HandlerResult delete_blob(HandlerContext& ctx, const common::Digest& digest,
                          const OciRoute& route) {
  auto deleted = co_await common::http::offload(
      ctx.pool, [&] { return ctx.service.delete_blob(route.name, digest); });
  if (!deleted) co_return error_response(deleted.error());
  co_return Response(202);
}

}  // namespace

HandlerResult handle_blob(HandlerContext& ctx, common::http::Request& request,
                          const OciRoute& route) {
  auto digest = common::Digest::parse(route.reference);
  if (!digest) co_return error_response(digest.error());
  switch (request.method) {
    case Method::kGet:
    case Method::kHead:
      co_return co_await get_blob(ctx, request, *digest, route);
    case Method::kDelete:
      co_return co_await delete_blob(ctx, *digest, route);
    default:
      co_return method_not_allowed();
  }
}

}  // namespace registry::http
