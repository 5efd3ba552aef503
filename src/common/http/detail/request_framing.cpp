#include "common/http/detail/request_framing.hpp"

#include <boost/beast/core/string.hpp>
#include <boost/beast/http/field.hpp>
#include <boost/beast/http/rfc7230.hpp>

namespace common::http::detail {
namespace {

namespace bhttp = boost::beast::http;

// What the Transfer-Encoding fields, read in order as one list, say.
struct Codings {
  bool present = false;       // at least one Transfer-Encoding field
  bool last_chunked = false;  // the final coding is chunked
  bool any_other = false;     // some coding is not chunked
};

Codings transfer_codings(const bhttp::request_header<>& header) {
  Codings codings;
  const auto fields = header.equal_range(bhttp::field::transfer_encoding);
  for (auto it = fields.first; it != fields.second; ++it) {
    codings.present = true;
    for (const auto& coding : bhttp::token_list{it->value()}) {
      const bool chunked = boost::beast::iequals(coding, "chunked");
      codings.last_chunked = chunked;
      if (!chunked) codings.any_other = true;
    }
  }
  return codings;
}

}  // namespace

std::optional<Rejection> check_framing(const bhttp::request_header<>& header, bool chunked) {
  const auto codings = transfer_codings(header);
  if (codings.present) {
    // An HTTP/1.0 recipient cannot know chunked framing, so a 1.0 message claiming it was
    // built by something that frames differently from us.
    if (header.version() < 11) return Rejection{400, "Transfer-Encoding in HTTP/1.0"};
    // Without chunked last, the body would run to the end of the connection (§6.3): never
    // for a request.
    if (!codings.last_chunked || !chunked)
      return Rejection{400, "final transfer coding is not chunked"};
    if (codings.any_other) return Rejection{501, "transfer coding not implemented"};
  }
  if (header.version() >= 11) {
    const auto hosts = header.count(bhttp::field::host);
    if (hosts == 0) return Rejection{400, "HTTP/1.1 request without Host"};
    if (hosts > 1) return Rejection{400, "repeated Host"};
  }
  return std::nullopt;
}

}  // namespace common::http::detail
