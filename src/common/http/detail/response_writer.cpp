#include "common/http/detail/response_writer.hpp"

#include <sys/sendfile.h>
#include <unistd.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <type_traits>
#include <variant>
#include <vector>

#include "common/http/detail/server_streams.hpp"

namespace common::http::detail {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = asio::ip::tcp;
constexpr auto kUseTuple = asio::as_tuple(asio::use_awaitable);

// What a write step's error means: the deadline cut off a client that stopped reading, or
// the client went away.
Error write_failure(const boost::system::error_code& ec, const ConnectionDeadline& deadline) {
  if (deadline.expired()) return Error(ErrorCode::kTimeout, "client stalled");
  return Error(ErrorCode::kUnavailable, "write failed", ec.message());
}

// The file body of a response whose header is on the wire.
template <class Stream>
asio::awaitable<Status> write_file(Stream& stream, ConnectionDeadline& deadline, FileRange& file,
                                   std::chrono::steady_clock::duration io_timeout) {
  std::uint64_t remaining = file.length;
  auto offset = static_cast<off_t>(file.offset);
  if constexpr (std::is_same_v<Stream, PlainStream>) {
    // Zero-copy: the kernel moves page-cache pages straight to the socket.
    auto& socket = stream.socket();
    socket.native_non_blocking(true);
    // Progress is a chunk sent: a large download costs a timestamp per chunk.
    deadline.expect_within(io_timeout);
    while (remaining > 0) {
      const auto chunk = static_cast<std::size_t>(std::min<std::uint64_t>(remaining, 16u << 20));
      const ssize_t n = ::sendfile(socket.native_handle(), file.fd.get(), &offset, chunk);
      if (n > 0) {
        remaining -= static_cast<std::uint64_t>(n);
        deadline.expect_within(io_timeout);
        continue;
      }
      if (n == 0) co_return fail(ErrorCode::kInternal, "file ended early");
      if (errno == EINTR) continue;
      if (errno != EAGAIN)
        co_return fail(ErrorCode::kUnavailable, "sendfile failed", std::strerror(errno));
      auto [ec] = co_await socket.async_wait(tcp::socket::wait_write, kUseTuple);
      if (deadline.expired()) co_return fail(ErrorCode::kTimeout, "client stalled");
      if (ec) co_return fail(ErrorCode::kUnavailable, "client went away");
    }
  } else {
    std::vector<char> buffer(256 * 1024);
    while (remaining > 0) {
      const auto want = static_cast<std::size_t>(std::min<std::uint64_t>(remaining, buffer.size()));
      const ssize_t n = ::pread(file.fd.get(), buffer.data(), want, offset);
      if (n <= 0) {
        if (n < 0 && errno == EINTR) continue;
        co_return fail(ErrorCode::kInternal, "reading file failed");
      }
      deadline.expect_within(io_timeout);
      auto [ec, w] = co_await asio::async_write(
          stream, asio::buffer(buffer.data(), static_cast<std::size_t>(n)), kUseTuple);
      if (ec) co_return fail(write_failure(ec, deadline));
      offset += n;
      remaining -= static_cast<std::uint64_t>(n);
    }
  }
  co_return Status{};
}

// The stream body of a response whose header is on the wire: each piece as one chunk
// (`chunked`; the empty last piece makes the last chunk, "0\r\n\r\n"), or as is (HTTP/1.0,
// where closing the connection ends the body). No limit applies while the producer waits
// for its next piece; writing one must make progress within io_timeout.
template <class Stream>
asio::awaitable<Result<std::uint64_t>> write_stream(
    Stream& stream, ConnectionDeadline& deadline, StreamBody& body, bool chunked,
    std::chrono::steady_clock::duration io_timeout) {
  static constexpr std::string_view kCrlf = "\r\n";
  std::uint64_t sent = 0;
  for (;;) {
    const std::string piece = co_await body.next();
    const bool last = piece.empty();
    if (last && !chunked) co_return sent;
    const std::string size_line = chunked ? fmt::format("{:x}\r\n", piece.size()) : "";
    const std::array<asio::const_buffer, 3> buffers{
        asio::buffer(size_line), asio::buffer(piece),
        asio::buffer(chunked ? kCrlf : std::string_view())};
    deadline.expect_within(io_timeout);
    auto [ec, written] = co_await asio::async_write(stream, buffers, kUseTuple);
    deadline.suspend();
    if (ec) co_return fail(write_failure(ec, deadline));
    if (last) co_return sent;
    sent += piece.size();
  }
}

}  // namespace

template <class Stream>
asio::awaitable<Result<std::uint64_t>> write_response(
    Stream& stream, ConnectionDeadline& deadline, Response& response, bool head, bool keep_alive,
    unsigned version, std::chrono::steady_clock::duration io_timeout) {
  const std::uint64_t length = response.body_size();
  const bool bodiless_status = response.status == 204 || response.status == 304;
  // No body inline with the header (a file or a stream follows it, if anything).
  const bool no_body = head || bodiless_status ||
                       std::holds_alternative<std::monostate>(response.body) ||
                       std::holds_alternative<FileRange>(response.body) || response.streamed();
  const bool stream_body = response.streamed() && !bodiless_status;
  // HTTP/1.0 has no chunks: a stream body ends with the connection (the server closes it).
  const bool chunked = stream_body && version >= 11;
  std::string_view inline_body;
  if (const auto* s = std::get_if<std::string>(&response.body)) inline_body = *s;
  if (const auto* p = std::get_if<std::shared_ptr<const std::string>>(&response.body); p && *p) {
    inline_body = **p;
  }
  bhttp::response<bhttp::span_body<const char>> message;
  message.version(version);
  message.result(static_cast<unsigned>(response.status));
  for (const auto& [name, value] : response.headers) message.set(name, value);
  message.keep_alive(keep_alive);
  if (chunked)
    message.chunked(true);
  else if (!bodiless_status && !stream_body)
    message.content_length(length);
  if (!no_body)
    message.body() =
        bhttp::span_body<const char>::value_type(inline_body.data(), inline_body.size());
  bhttp::response_serializer<bhttp::span_body<const char>> serializer(message);
  deadline.expect_within(io_timeout);
  // A stream's header goes alone: its body's chunks follow as the producer makes them.
  auto [ec, written] = stream_body
                           ? co_await bhttp::async_write_header(stream, serializer, kUseTuple)
                           : co_await bhttp::async_write(stream, serializer, kUseTuple);
  deadline.suspend();
  if (ec) co_return fail(write_failure(ec, deadline));
  std::uint64_t sent = no_body ? 0 : inline_body.size();
  if (!head) {
    if (auto* file = std::get_if<FileRange>(&response.body)) {
      auto status = co_await write_file(stream, deadline, *file, io_timeout);
      deadline.suspend();
      if (!status) co_return fail(status.error());
      sent = file->length;
    }
    if (auto* body = std::get_if<StreamBody>(&response.body); body && stream_body) {
      auto streamed = co_await write_stream(stream, deadline, *body, chunked, io_timeout);
      if (!streamed) co_return fail(streamed.error());
      sent = *streamed;
    }
  }
  co_return sent;
}

template asio::awaitable<Result<std::uint64_t>> write_response(PlainStream&, ConnectionDeadline&,
                                                               Response&, bool, bool, unsigned,
                                                               std::chrono::steady_clock::duration);
template asio::awaitable<Result<std::uint64_t>> write_response(TlsStream&, ConnectionDeadline&,
                                                               Response&, bool, bool, unsigned,
                                                               std::chrono::steady_clock::duration);

}  // namespace common::http::detail
