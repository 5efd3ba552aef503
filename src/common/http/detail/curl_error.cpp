#include "common/http/detail/curl_error.hpp"

#include <fmt/format.h>

namespace common::http::detail {
namespace {

ErrorCode code_for(CURLcode code) noexcept {
  switch (code) {
    case CURLE_OPERATION_TIMEDOUT:  // includes "Operation too slow" (low-speed limit)
      return ErrorCode::kTimeout;
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_CONNECT:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
    case CURLE_HTTP3:
    case CURLE_PROXY:
    case CURLE_SSL_CONNECT_ERROR:  // handshake failed: no common cipher, alert from peer
    case CURLE_TOO_MANY_REDIRECTS:
    case CURLE_SEND_FAIL_REWIND:  // a redirect asked to resend a streamed body
    case CURLE_WEIRD_SERVER_REPLY:
    case CURLE_UNSUPPORTED_PROTOCOL:  // also a redirect to a scheme other than http(s)
      return ErrorCode::kUnavailable;
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
      return ErrorCode::kPermissionDenied;
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_SSL_CIPHER:
    case CURLE_URL_MALFORMAT:
    case CURLE_BAD_FUNCTION_ARGUMENT:
      return ErrorCode::kInvalidArgument;
    case CURLE_OUT_OF_MEMORY:
      return ErrorCode::kResourceExhausted;
    case CURLE_FILESIZE_EXCEEDED:
      return ErrorCode::kTooLarge;
    default:
      return ErrorCode::kInternal;
  }
}

}  // namespace

Error curl_error(CURLcode code, std::string_view method, std::string_view url,
                 std::string_view curl_message) {
  std::string detail =
      curl_message.empty() ? std::string(curl_easy_strerror(code)) : std::string(curl_message);
  while (!detail.empty() && (detail.back() == '\n' || detail.back() == '\r')) detail.pop_back();
  return Error(code_for(code),
               fmt::format("{} {}: {}", method, redact_url(url), curl_easy_strerror(code)),
               fmt::format("curl error {}: {}", static_cast<int>(code), detail));
}

std::string redact_url(std::string_view url) {
  const auto cut = url.find_first_of("?#");
  if (cut != std::string_view::npos) url = url.substr(0, cut);
  const auto scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return std::string(url);
  const auto authority_begin = scheme_end + 3;
  auto authority_end = url.find('/', authority_begin);
  if (authority_end == std::string_view::npos) authority_end = url.size();
  const auto at = url.substr(0, authority_end).rfind('@');
  if (at == std::string_view::npos || at < authority_begin) return std::string(url);
  return std::string(url.substr(0, authority_begin)) + std::string(url.substr(at + 1));
}

}  // namespace common::http::detail
