// ClientRequest: one request for HttpClient, and the callback types of its streaming
// calls. Plain values; the callbacks run on the thread that called HttpClient::request.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <stop_token>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/result.hpp"

namespace common::http {

// Receives the body of a 2xx response chunk by chunk as it arrives, in order. An error
// aborts the transfer at once and is what the request returns.
using BodySink = std::function<Status(std::string_view chunk)>;

// A request body read as it is sent: `read` fills up to buffer.size() bytes and returns how
// many (0 only at the end); an error aborts the request and is what it returns. `length` is
// sent as Content-Length and must be exact. A streamed body cannot be rewound, so a 307/308
// redirect of it fails (kUnavailable); a body held in ClientRequest::body can.
struct UploadSource {
  std::uint64_t length = 0;
  std::function<Result<std::size_t>(std::span<char> buffer)> read;

  // Reads `length` bytes from `fd` at its current offset; the fd is borrowed and must stay
  // open until the request returns.
  static UploadSource from_fd(int fd, std::uint64_t length);
};

struct ClientRequest {
  std::string method = "GET";                                // any token; HEAD asks for no body
  std::string url;                                           // http:// or https:// only
  std::vector<std::pair<std::string, std::string>> headers;  // sent in order, as given
  std::optional<std::string> body;     // sent with Content-Length; exclusive with upload
  std::optional<UploadSource> upload;  // streamed body

  // Asks for the bytes from `offset` on (Range: bytes=offset-), to resume a download;
  // a 206 response then carries Content-Range (ClientResponse::content_range()). A server
  // that ignores the range answers 200 with the whole body: a streaming request then stops
  // before any byte reaches the sink and returns that 200 response with an empty body, so
  // the caller can start again from 0.
  std::optional<std::uint64_t> resume_from;

  // Aborts the transfer within about a second of a stop being requested (a long-poll held
  // open when the process stops): the request then fails with kUnavailable "request stopped".
  std::stop_token stop;
};

}  // namespace common::http
