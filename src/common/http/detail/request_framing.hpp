// check_framing(): whether a parsed request header can be served without guessing where its
// body ends (used by server.cpp only; it keeps Beast out of every other header). Beast
// rejects most invalid framing itself (Content-Length with Transfer-Encoding, differing or
// negative lengths) but frames a Transfer-Encoding whose final coding is not chunked as "no
// body", which would run bytes of the body as the next request: request smuggling.
#pragma once

#include <boost/beast/http/message.hpp>

#include <optional>
#include <string_view>

namespace common::http::detail {

// Why a request is refused, answered before the connection is closed.
struct Rejection {
  int status;
  std::string_view reason;  // static text, for the debug log
};

// nullopt when `header` (parsed as chunked or not, per `chunked`) frames its body
// unambiguously; otherwise 400 for a Transfer-Encoding whose final coding is not chunked, a
// Transfer-Encoding in HTTP/1.0 (RFC 9112 §6.1, §6.3) or a missing or repeated Host in
// HTTP/1.1 (§3.2), and 501 for a transfer coding other than chunked before it (§6.1: not
// understood).
std::optional<Rejection> check_framing(const boost::beast::http::request_header<>& header,
                                       bool chunked);

}  // namespace common::http::detail
