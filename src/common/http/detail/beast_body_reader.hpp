// BeastBodyReader: the BodyReader over a Beast request parser, used by server.cpp only
// (it keeps Beast out of every other header). It reads the body in the caller's buffer as
// the handler asks for it, sends "100 Continue" on the first read when the client waits for
// it, applies the I/O deadline to every read, and remembers a failed read so the connection
// is not used again (later reads repeat the failure at once, without waiting).
#pragma once

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <chrono>
#include <optional>
#include <span>
#include <string_view>

#include "common/http/detail/connection_deadline.hpp"
#include "common/http/request.hpp"

namespace common::http::detail {

using Parser = boost::beast::http::request_parser<boost::beast::http::buffer_body>;

// Streams the body of the request being parsed by `parser`.
template <class Stream>
class BeastBodyReader final : public BodyReader {
 public:
  BeastBodyReader(Stream& stream, boost::beast::flat_buffer& buffer, Parser& parser,
                  ConnectionDeadline& deadline, std::chrono::seconds timeout, bool expects_continue)
      : stream_(stream),
        buffer_(buffer),
        parser_(parser),
        deadline_(deadline),
        timeout_(timeout),
        expects_continue_(expects_continue) {}

  boost::asio::awaitable<Result<std::size_t>> read_some(std::span<char> out) override {
    if (failed_) co_return fail(*failed_);
    if (parser_.is_done() || out.empty()) co_return std::size_t{0};
    if (expects_continue_) {
      expects_continue_ = false;
      static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
      deadline_.expect_within(timeout_);
      auto [ec, n] =
          co_await boost::asio::async_write(stream_, boost::asio::buffer(kContinue),
                                            boost::asio::as_tuple(boost::asio::use_awaitable));
      deadline_.suspend();
      if (ec && deadline_.expired()) co_return remember(read_error(ec));
      if (ec) co_return remember(Error(ErrorCode::kUnavailable, "client went away", ec.message()));
    }
    auto& body = parser_.get().body();
    body.data = out.data();
    body.size = out.size();
    deadline_.expect_within(timeout_);
    auto [ec, n] = co_await boost::beast::http::async_read(
        stream_, buffer_, parser_, boost::asio::as_tuple(boost::asio::use_awaitable));
    deadline_.suspend();
    if (ec && ec != boost::beast::http::error::need_buffer) co_return remember(read_error(ec));
    co_return out.size() - body.size;
  }

  std::optional<std::uint64_t> content_length() const override {
    const auto length = parser_.content_length();
    if (!length) return std::nullopt;
    return *length;
  }

  bool done() const override { return parser_.is_done(); }
  // True once a read failed: the connection cannot carry another request.
  bool failed() const { return failed_.has_value(); }
  // True while the client waits for "100 Continue" before sending the body.
  bool awaiting_continue() const { return expects_continue_; }

 private:
  // What a failed body read means: a malformed body, or one that ended before its declared
  // length (the client closed its side), is the client's error; a stall is a timeout; any
  // other failure means the client went away.
  Error read_error(const boost::system::error_code& ec) const {
    namespace bhttp = boost::beast::http;
    if (deadline_.expired()) return Error(ErrorCode::kTimeout, "timed out reading request body");
    if (ec == bhttp::error::partial_message)
      return Error(ErrorCode::kInvalidArgument, "request body ended early", ec.message());
    if (ec.category() == bhttp::make_error_code(bhttp::error::bad_chunk).category())
      return Error(ErrorCode::kInvalidArgument, "malformed request body", ec.message());
    return Error(ErrorCode::kUnavailable, "reading request body failed", ec.message());
  }

  std::unexpected<Error> remember(Error error) {
    failed_ = error;
    return std::unexpected<Error>(std::move(error));
  }

  Stream& stream_;
  boost::beast::flat_buffer& buffer_;
  Parser& parser_;
  ConnectionDeadline& deadline_;
  std::chrono::seconds timeout_;
  bool expects_continue_;
  std::optional<Error> failed_;
};

}  // namespace common::http::detail
