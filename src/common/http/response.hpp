// Response: what a handler returns. The body is empty, an owned string, a shared immutable
// string (cached manifests are served without a copy), or a file range that the server
// streams with sendfile on plain TCP. For HEAD the server sends the headers, including the
// Content-Length the body would have, and no body bytes.
#pragma once

#include <cstdint>
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

using Body =
    std::variant<std::monostate, std::string, std::shared_ptr<const std::string>, FileRange>;

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
  std::uint64_t body_size() const noexcept;
};

}  // namespace common::http
