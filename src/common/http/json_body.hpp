// read_json_body(): the one way a JSON API handler reads its request body: the whole body up
// to a size limit, parsed into a document. The only public header of common/http that names
// nlohmann::json, and only through <nlohmann/json_fwd.hpp>: a caller that uses the result
// includes <nlohmann/json.hpp> itself. Exceptions from the parser stay inside.
// Thread-safety: as the Request's (one connection coroutine).
#pragma once

#include <boost/asio/awaitable.hpp>

#include <cstddef>
#include <nlohmann/json_fwd.hpp>

#include "common/http/request.hpp"
#include "common/result.hpp"

namespace common::http {

// The request body parsed as one JSON document. kTooLarge when it exceeds `limit` bytes (by
// Content-Length or as read); kInvalidArgument for an empty body or one that is not JSON, with
// the byte offset and the parser's reason in the message; the body reader's error (kTimeout,
// kUnavailable, kInvalidArgument) when the body cannot be read.
boost::asio::awaitable<Result<nlohmann::json>> read_json_body(Request& request, std::size_t limit);

// Parses `text` as read_json_body() does; kInvalidArgument as above.
[[nodiscard]] Result<nlohmann::json> parse_json(std::string_view text);

}  // namespace common::http
