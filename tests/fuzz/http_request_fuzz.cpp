// Fuzz target: the HTTP/1.1 request reader. The input is the raw byte stream of one client
// connection. It goes through a Beast request_parser<buffer_body> set up as
// common::http::Server's serve_connection sets it up (16 KiB header limit, no body limit,
// the body read into a caller's buffer), over a flat_buffer, request after request while the
// connection would stay open, so pipelined and smuggled requests are parsed the way the
// server parses them. The first byte sets how many bytes each simulated socket read delivers
// (1-255, 0 = all at once), so every split point of a header is reached. For each parsed
// header it builds a common::http::Request as serve_connection does and drives what the
// handlers call on it: header(), query_param(), percent_decode(), parse_oci_route() and the
// range parsers. Beast stays in this file, as it stays in server.cpp.
//
// Keep in step with serve_connection (src/common/http/server.cpp): parser limits, how the
// target is split into path and query, and which fields become headers.
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/http/detail/beast_request.hpp"
#include "common/http/request.hpp"
#include "fuzz_check.hpp"
#include "oci_match_router.hpp"
#include "registry/http/byte_range.hpp"
#include "registry/http/oci_route.hpp"

namespace {

namespace beast = boost::beast;
namespace bhttp = beast::http;
using Parser = bhttp::request_parser<bhttp::buffer_body>;

constexpr std::uint32_t kHeaderLimit = 16 * 1024;  // ServerConfig::max_header_bytes default
constexpr int kMaxRequestsPerConnection = 16;

bool iequals(std::string_view a, std::string_view b) {
  return beast::iequals(beast::string_view(a.data(), a.size()),
                        beast::string_view(b.data(), b.size()));
}

// The socket: hands out the connection's bytes `step` at a time.
class FakeSocket {
 public:
  FakeSocket(std::string_view bytes, std::size_t step) : bytes_(bytes), step_(step) {}
  // Appends the next read to `buffer`; false at end of stream.
  bool read_into(beast::flat_buffer& buffer) {
    if (bytes_.empty()) return false;
    const auto n = step_ == 0 ? bytes_.size() : std::min(step_, bytes_.size());
    const auto out = buffer.prepare(n);
    std::copy_n(bytes_.data(), n, static_cast<char*>(out.data()));
    buffer.commit(n);
    bytes_.remove_prefix(n);
    return true;
  }

 private:
  std::string_view bytes_;
  std::size_t step_;
};

// Feeds the parser until `done(parser)` or an error; like async_read_header / async_read.
template <class Done>
beast::error_code parse_until(Parser& parser, beast::flat_buffer& buffer, FakeSocket& socket,
                              Done done) {
  beast::error_code ec;
  while (!done(parser)) {
    if (buffer.size() > 0) {
      const auto used = parser.put(buffer.data(), ec);
      buffer.consume(used);
      if (ec == bhttp::error::need_more) {
        ec = {};
      } else if (ec) {
        return ec;
      } else if (used > 0 || done(parser)) {
        continue;
      }
    }
    if (!socket.read_into(buffer)) {
      // As Beast's read does at end of stream: put_eof() only once a message has begun.
      if (!parser.got_some()) return bhttp::error::end_of_stream;
      parser.put_eof(ec);
      return ec ? ec : beast::error_code(bhttp::error::end_of_stream);
    }
  }
  return ec;
}

// What the handlers ask of a request; checks the answers against the parsed fields.
void exercise(const common::http::Request& request) {
  for (const auto& field : request.headers) {
    const auto first = std::find_if(request.headers.begin(), request.headers.end(),
                                    [&](const auto& h) { return iequals(h.name, field.name); });
    FUZZ_CHECK(request.header(field.name) == first->value);
  }
  for (const auto* key : {"digest", "mount", "from", "n", "last"}) (void)request.query_param(key);
  common::http::RouteMatch match;
  (void)fuzz::oci_match_router().find(request.method, request.path, match);
  if (const auto decoded = common::http::percent_decode(request.path)) {
    FUZZ_CHECK(common::http::percent_decode(common::http::percent_encode(*decoded)) == *decoded);
  }
  (void)common::http::percent_decode(request.query);
  (void)registry::http::parse_content_range(request.header("Content-Range"));
  (void)registry::http::parse_byte_range(request.header("Range"), 1000);
}

// One request of the connection, as serve_connection reads it; false when the connection
// would end after it.
bool serve_one(beast::flat_buffer& buffer, FakeSocket& socket) {
  Parser parser;
  parser.header_limit(kHeaderLimit);
  parser.body_limit(boost::none);
  auto ec = parse_until(parser, buffer, socket, [](Parser& p) { return p.is_header_done(); });
  if (ec) return false;

  auto& message = parser.get();
  common::http::Request request;
  common::http::detail::fill_request(message, {}, request);
  exercise(request);

  // The handler reads the body through BeastBodyReader: into its buffer, chunk by chunk.
  std::array<char, 4096> sink;
  while (!parser.is_done()) {
    auto& body = parser.get().body();
    body.data = sink.data();
    body.size = sink.size();
    ec = parse_until(parser, buffer, socket,
                     [](Parser& p) { return p.is_done() || p.get().body().size == 0; });
    if (ec == bhttp::error::need_buffer) ec = {};
    if (ec) return false;
    FUZZ_CHECK(body.size <= sink.size());
  }
  return message.keep_alive();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  FakeSocket socket(std::string_view(reinterpret_cast<const char*>(data + 1), size - 1), data[0]);
  beast::flat_buffer buffer;
  for (int i = 0; i < kMaxRequestsPerConnection && serve_one(buffer, socket); ++i) {
  }
  return 0;
}
