// ClientResponse: the final response to one HttpClient request (after redirects). A plain
// value type.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "common/http/header_fields.hpp"

namespace common::http {

// A parsed "Content-Range: bytes first-last/total" (total nullopt for "*").
struct ContentRange {
  std::uint64_t first = 0;
  std::uint64_t last = 0;
  std::optional<std::uint64_t> total;
};

struct ClientResponse {
  int status = 0;
  HeaderFields headers;  // of the final response only
  // The body: the whole body from request(ClientRequest); from a streaming request, only
  // the body of a non-2xx response (an error envelope), the 2xx body went to the sink.
  std::string body;
  std::string effective_url;     // after redirects, query and credentials stripped
  unsigned redirects = 0;        // redirects followed
  unsigned new_connections = 0;  // connections opened for this request (0: reused)

  // Content-Range parsed; nullopt when absent or malformed.
  [[nodiscard]] std::optional<ContentRange> content_range() const;
};

}  // namespace common::http
