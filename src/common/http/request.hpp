// Request: what a handler sees of one HTTP request. Header and target strings are views
// into the connection's parse buffer and stay valid until the handler's awaitable
// completes; the body is read on demand through BodyReader so large uploads stream. The
// server lends each request the connection's RequestContext (clock, cancellation) and, when
// the client's certificate verified, its PeerIdentity.
// Thread-safety: a Request belongs to one connection coroutine.
#pragma once

#include <boost/asio/awaitable.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/http/peer_identity.hpp"
#include "common/http/percent_encoding.hpp"
#include "common/http/request_context.hpp"
#include "common/memory_budget.hpp"
#include "common/result.hpp"

namespace common::http {

enum class Method { kGet, kHead, kPost, kPut, kPatch, kDelete, kOptions, kOther };

std::string_view method_name(Method method) noexcept;

// Streams the request body. read_some() returns 0 once the body is complete;
// kInvalidArgument when the body is malformed (bad chunk framing) or ends before its
// declared length (the client closed its side), kTimeout when the client stalls and
// kUnavailable when it disconnects. After a failure every later read fails the same way.
class BodyReader {
 public:
  virtual ~BodyReader() = default;
  virtual boost::asio::awaitable<Result<std::size_t>> read_some(std::span<char> buffer) = 0;
  // Content-Length when the client sent one (chunked bodies have none).
  virtual std::optional<std::uint64_t> content_length() const = 0;
  // True once the whole body was read.
  virtual bool done() const = 0;
};

// Reads the whole body into memory; kTooLarge when it exceeds `limit` bytes. The memory it
// takes is counted against `reservation` when given: kTooManyRequests when that is short.
boost::asio::awaitable<Result<std::string>> read_body(
    BodyReader& body, std::size_t limit, MemoryBudget::Reservation* reservation = nullptr);

struct Header {
  std::string_view name;
  std::string_view value;
};

struct Request {
  Method method = Method::kOther;
  std::string_view target;  // raw request target, e.g. "/v2/a/b/tags/list?n=10"
  std::string_view path;    // target up to '?', still percent-encoded
  std::string_view query;   // after '?', may be empty
  std::vector<Header> headers;
  std::string_view remote_address;
  BodyReader* body = nullptr;
  // Always set by the Server; null only in a Request a test builds by hand.
  RequestContext* context = nullptr;
  // The client certificate's identity when TLS verified its chain; null otherwise (plain
  // HTTP, no certificate, or client verification off).
  const PeerIdentity* peer = nullptr;

  // First header named `name` (ASCII case-insensitive); empty when absent.
  std::string_view header(std::string_view name) const noexcept;
  // Percent-decoded value of query parameter `key`, if present.
  std::optional<std::string> query_param(std::string_view key) const;
};

}  // namespace common::http
