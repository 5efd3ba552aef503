// curl_error(): the single place where a libcurl result code becomes an Error (like
// fs::posix_error for errno), and redact_url(), which every URL put into an Error or a log
// line goes through. Pure functions; thread-safe.
#pragma once

#include <curl/curl.h>

#include <string>
#include <string_view>

#include "common/result.hpp"

namespace common::http::detail {

// Error for `method url` failing with `code`; `curl_message` (CURLOPT_ERRORBUFFER, may be
// empty) goes into the detail. Timeouts (including the low-speed limit) → kTimeout;
// DNS, connect, proxy, send/receive and handshake failures → kUnavailable; a server
// certificate that fails verification → kPermissionDenied; unreadable local TLS files, a
// malformed URL or an unsupported scheme → kInvalidArgument; out of memory →
// kResourceExhausted; anything else → kInternal.
Error curl_error(CURLcode code, std::string_view method, std::string_view url,
                 std::string_view curl_message);

// `url` without user info (user:password@), query and fragment: presigned storage URLs
// carry credentials in their query.
std::string redact_url(std::string_view url);

}  // namespace common::http::detail
