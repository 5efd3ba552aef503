// Blob uploads: POST starts one (or mounts, or takes the whole blob at once), PATCH appends
// a chunk, PUT appends the last bytes and commits, GET reports progress, DELETE cancels.
// Bodies stream from the socket into the upload file; commit runs on the blocking pool.
#include <vector>

#include "common/http/offload.hpp"
#include "registry/http/byte_range.hpp"
#include "registry/http/error_response.hpp"
#include "registry/http/handler_context.hpp"

namespace registry::http {

using common::ErrorCode;
using common::fail;
using common::http::Method;
using common::http::Response;

namespace {

constexpr std::size_t kChunkBuffer = 256 * 1024;

std::string upload_location(const OciRoute& route, const std::string& id) {
  return "/v2/" + route.name + "/blobs/uploads/" + id;
}

// The spec's progress header: the inclusive range of bytes received ("0-0" when none).
std::string range_header(std::uint64_t size) {
  return "0-" + std::to_string(size == 0 ? 0 : size - 1);
}

// Where upload `id` stands after `size` bytes.
Response upload_progress(int status, const OciRoute& route, const std::string& id,
                         std::uint64_t size) {
  Response response(status);
  response.set("Location", upload_location(route, id));
  response.set("Range", range_header(size));
  response.set("Docker-Upload-UUID", id);
  return response;
}

// The error response for a request on upload `id`. A 416, or a 507 (disk full: the session
// was cut back to its last good size), also reports where the upload stands, so the client
// can resume from there.
Response upload_error(HandlerContext& ctx, const OciRoute& route, const std::string& id,
                      const common::Error& error) {
  auto response = error_response(error);
  if (error.code() != ErrorCode::kRangeInvalid && error.code() != ErrorCode::kResourceExhausted) {
    return response;
  }
  if (auto state = ctx.service.upload_status(route.name, id)) {
    response.set("Location", upload_location(route, id));
    response.set("Range", range_header(state->size));
  }
  return response;
}

Response blob_created(const OciRoute& route, const common::Digest& digest) {
  Response response(201);
  response.set("Location", "/v2/" + route.name + "/blobs/" + digest.str());
  response.set("Docker-Content-Digest", digest.str());
  return response;
}

// Start offset of a chunk's Content-Range (parse_content_range), checked against the
// Content-Length when the client sent one.
common::Result<std::optional<std::uint64_t>> chunk_offset(const common::http::Request& request) {
  const auto header = request.header("Content-Range");
  if (header.empty()) return std::optional<std::uint64_t>();
  const auto range = parse_content_range(header);
  if (!range) return fail(range.error());
  if (auto length = request.body->content_length(); length && *length != range->length()) {
    return fail(ErrorCode::kRangeInvalid, "Content-Range does not match Content-Length");
  }
  return std::optional<std::uint64_t>(range->first);
}

// Streams the request body into the upload.
boost::asio::awaitable<common::Status> copy_body(common::http::BodyReader& body,
                                                 storage::UploadWriter& writer) {
  std::vector<char> buffer(kChunkBuffer);
  while (!body.done()) {
    auto n = co_await body.read_some(buffer);
    if (!n) co_return fail(n.error());
    if (*n == 0) break;
    if (auto status = writer.write(std::string_view(buffer.data(), *n)); !status) co_return status;
  }
  co_return common::Status{};
}

// Appends the request body to upload `id` at `offset`; returns the new size.
boost::asio::awaitable<common::Result<std::uint64_t>> append(HandlerContext& ctx,
                                                             common::http::Request& request,
                                                             const OciRoute& route,
                                                             const std::string& id,
                                                             std::optional<std::uint64_t> offset) {
  auto writer = co_await common::http::offload(
      ctx.pool, [&] { return ctx.service.open_upload(route.name, id, offset); });
  if (!writer) co_return fail(writer.error());
  if (auto status = co_await copy_body(*request.body, *writer); !status)
    co_return fail(status.error());
  co_return writer->size();
}

bool has_body(const common::http::Request& request) {
  return request.body->content_length().value_or(0) > 0 || !request.body->done();
}

// Appends the request's body, if any (at its Content-Range when given), to upload `id` and
// commits the upload as `digest`.
boost::asio::awaitable<common::Status> append_and_commit(HandlerContext& ctx,
                                                         common::http::Request& request,
                                                         const OciRoute& route,
                                                         const std::string& id,
                                                         const common::Digest& digest) {
  auto offset = chunk_offset(request);
  if (!offset) co_return fail(offset.error());
  if (has_body(request)) {
    auto appended = co_await append(ctx, request, route, id, *offset);
    if (!appended) co_return fail(appended.error());
  }
  auto committed = co_await common::http::offload(
      ctx.pool, [&] { return ctx.service.finish_upload(route.name, id, digest); });
  if (!committed) co_return fail(committed.error());
  co_return common::Status{};
}

// Single-POST upload: the whole blob in the POST that opens the session.
HandlerResult monolithic_post(HandlerContext& ctx, common::http::Request& request,
                              const OciRoute& route, const common::Digest& digest) {
  auto started = co_await common::http::offload(
      ctx.pool, [&] { return ctx.service.start_upload(route.name); });
  if (!started) co_return error_response(started.error());
  const auto id = started->id.str();
  auto done = co_await append_and_commit(ctx, request, route, id, digest);
  if (!done) {
    // The client never learned this session's id: drop it now rather than at GC.
    (void)co_await common::http::offload(ctx.pool,
                                         [&] { return ctx.service.cancel_upload(route.name, id); });
    co_return error_response(done.error());
  }
  co_return blob_created(route, digest);
}

HandlerResult patch_upload(HandlerContext& ctx, common::http::Request& request,
                           const OciRoute& route) {
  const std::string& id = route.reference;
  auto offset = chunk_offset(request);
  if (!offset) co_return upload_error(ctx, route, id, offset.error());
  auto appended = co_await append(ctx, request, route, id, *offset);
  if (!appended) co_return upload_error(ctx, route, id, appended.error());
  co_return upload_progress(202, route, id, *appended);
}

HandlerResult put_upload(HandlerContext& ctx, common::http::Request& request,
                         const OciRoute& route) {
  const auto digest_param = request.query_param("digest");
  if (!digest_param)
    co_return error_response(common::Error(ErrorCode::kDigestInvalid, "digest parameter missing"));
  auto digest = common::Digest::parse(*digest_param);
  if (!digest) co_return error_response(digest.error());
  auto done = co_await append_and_commit(ctx, request, route, route.reference, *digest);
  if (!done) co_return upload_error(ctx, route, route.reference, done.error());
  co_return blob_created(route, *digest);
}

}  // namespace

HandlerResult handle_upload_start(HandlerContext& ctx, common::http::Request& request,
                                  const OciRoute& route) {
  if (request.method != Method::kPost) co_return method_not_allowed();
  const auto mount = request.query_param("mount");
  const auto digest_param = request.query_param("digest");
  if (mount) {
    auto digest = common::Digest::parse(*mount);
    const auto from = request.query_param("from").value_or("");
    if (digest) {
      auto mounted = co_await common::http::offload(
          ctx.pool, [&] { return ctx.service.mount_blob(route.name, from, *digest); });
      if (!mounted) co_return error_response(mounted.error());
      if (*mounted) co_return blob_created(route, *digest);
    }
    // Not mountable: the spec says to fall back to a regular upload session.
  }
  if (digest_param) {
    auto digest = common::Digest::parse(*digest_param);
    if (!digest) co_return error_response(digest.error());
    co_return co_await monolithic_post(ctx, request, route, *digest);
  }
  auto started = co_await common::http::offload(
      ctx.pool, [&] { return ctx.service.start_upload(route.name); });
  if (!started) co_return error_response(started.error());
  co_return upload_progress(202, route, started->id.str(), started->size);
}

HandlerResult handle_upload(HandlerContext& ctx, common::http::Request& request,
                            const OciRoute& route) {
  const std::string& id = route.reference;
  switch (request.method) {
    case Method::kGet: {
      auto state = ctx.service.upload_status(route.name, id);
      if (!state) co_return error_response(state.error());
      co_return upload_progress(204, route, id, state->size);
    }
    case Method::kPatch:
      co_return co_await patch_upload(ctx, request, route);
    case Method::kPut:
      co_return co_await put_upload(ctx, request, route);
    case Method::kDelete: {
      auto cancelled = co_await common::http::offload(
          ctx.pool, [&] { return ctx.service.cancel_upload(route.name, id); });
      if (!cancelled) co_return error_response(cancelled.error());
      co_return Response(204);
    }
    default:
      co_return method_not_allowed();
  }
}

}  // namespace registry::http
