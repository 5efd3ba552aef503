// Response: what a handler returns. The body is empty, an owned string, a shared immutable
// string (cached manifests are served without a copy), a file range that the server
// streams with sendfile on plain TCP, or a stream made piece by piece while it is sent.
// For HEAD the server sends the headers, including the Content-Length the body would have,
// and no body bytes.
#pragma once

#include <boost/asio/awaitable.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "common/fs/unique_fd.hpp"

namespace common::http {

struct FileRange {
  fs::UniqueFd fd;
  std::uint64_t offset = 0;
  std::uint64_t length = 0;
};

// A body whose length is not known when the answer starts (a watch's events): sent
// chunked to an HTTP/1.1 client, and until the connection closes to an HTTP/1.0 one. The
// server calls `next` on the connection's thread once the handler has returned, and again
// after each piece is on the wire; it returns the next piece, or an empty string to end
// the body. It may wait in between (RequestContext::wait_until, which also notices the
// client going away and the server stopping: end the body then); the Request and its
// context stay valid until the body has ended. An exception from it ends the connection.
struct StreamBody {
  std::function<boost::asio::awaitable<std::string>()> next;
};

using Body = std::variant<std::monostate, std::string, std::shared_ptr<const std::string>,
                          FileRange, StreamBody>;

struct Response {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  Body body;
  // Overrides the Content-Length derived from the body (HEAD answers with no body).
  std::optional<std::uint64_t> content_length;
  // Static name of the route that answered, for access logs and metrics.
  std::string_view route = "unmatched";
  // Forces the connection closed after this response.
  bool close = false;
  // Why a server-side failure happened (paths, library messages): logged, never sent.
  std::string diagnostic;

  Response() = default;
  explicit Response(int status_code) : status(status_code) {}

  Response& set(std::string name, std::string value) {
    headers.emplace_back(std::move(name), std::move(value));
    return *this;
  }
  // The body's length (0 for a stream, whose length is unknown).
  std::uint64_t body_size() const noexcept;
  bool streamed() const noexcept { return std::holds_alternative<StreamBody>(body); }
};

}  // namespace common::http
