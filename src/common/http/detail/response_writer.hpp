// write_response: puts a handler's Response on the wire of one connection, for server.cpp
// only: the header and an in-memory body in one gathered write, then a file body by
// sendfile(2) on a plain socket (the kernel moves page-cache pages straight to the socket)
// or by pread and write through TLS. Each write step must make progress within `io_timeout`
// (the connection's deadline cuts off a client that stops reading); a file body re-arms it
// per chunk sent, so a large download costs a timestamp per chunk. A stream body follows
// its header piece by piece, chunked (HTTP/1.1) or raw (HTTP/1.0, keep_alive false), with
// no limit while its producer waits.
// Instantiated for the server's two streams (beast::tcp_stream, and ssl_stream over it).
// Thread-safety: the connection's thread only.
#pragma once

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <cstdint>

#include "common/http/detail/connection_deadline.hpp"
#include "common/http/response.hpp"
#include "common/result.hpp"

namespace common::http::detail {

// Writes `response` (only its header for `head`, and for 204 / 304 without Content-Length),
// HTTP/1.`version`, with Connection: keep-alive or close. Returns the body bytes sent.
// kTimeout when the client stalled, kUnavailable when it went away, kInternal when a file
// body could not be read.
template <class Stream>
boost::asio::awaitable<Result<std::uint64_t>> write_response(
    Stream& stream, ConnectionDeadline& deadline, Response& response, bool head, bool keep_alive,
    unsigned version, std::chrono::steady_clock::duration io_timeout);

}  // namespace common::http::detail
