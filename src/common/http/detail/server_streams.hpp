// The server's two connection streams, named once: server.cpp serves on them and
// response_writer.cpp is instantiated for exactly these, so the two cannot drift apart.
#pragma once

#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

namespace common::http::detail {

using PlainStream = boost::beast::tcp_stream;
using TlsStream = boost::beast::ssl_stream<boost::beast::tcp_stream>;

}  // namespace common::http::detail
