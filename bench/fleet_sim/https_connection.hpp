// HttpsConnection: one keep-alive HTTPS connection of the simulator (Boost.Beast over
// asio::ssl), optionally presenting a satellite's client certificate. Requests go one at a
// time; write() and read() are separate so that a long-poll can be counted as parked once
// its request is out. No deadlines on the hot path: the run's own clock bounds each phase.
// Thread-safety: one io_context thread at a time (the one it was made on).
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include <memory>
#include <string>

#include "satellite_identity.hpp"

namespace fleet_sim {

using HttpRequest = boost::beast::http::request<boost::beast::http::string_body>;
using HttpResponse = boost::beast::http::response<boost::beast::http::string_body>;
// A TLS session kept to resume on the next connection.
using TlsSession = std::shared_ptr<SSL_SESSION>;

// A TLS client context that trusts the CA bundle `ca_file` (server chain checked, host name
// not: the bench dials 127.0.0.1). Throws on a file it cannot read: start-up only.
boost::asio::ssl::context client_tls_context(const std::string& ca_file);

class HttpsConnection {
 public:
  // `identity`, when given, is presented as the client certificate; it must outlive this.
  HttpsConnection(boost::asio::io_context& io, boost::asio::ssl::context& tls,
                  const SatelliteIdentity* identity);

  // TCP connect (TCP_NODELAY) and the TLS handshake, offering `session` for resumption;
  // the first error otherwise.
  boost::asio::awaitable<boost::system::error_code> connect(
      const boost::asio::ip::tcp::endpoint& endpoint, const TlsSession& session = nullptr);
  // Whether the handshake resumed the offered session.
  bool resumed();
  // A copy of this connection's session to offer on the next one (after a response: a TLS
  // 1.3 ticket arrives after the handshake). A copy, because OpenSSL marks the connection's
  // own session unresumable when the connection dies without a TLS shutdown, as it does
  // when a replica is killed. Null when there is none.
  TlsSession session();
  boost::asio::awaitable<boost::system::error_code> write(HttpRequest& request);
  // Reads the next response into `response` (cleared first).
  boost::asio::awaitable<boost::system::error_code> read(HttpResponse& response);
  // write() then read().
  boost::asio::awaitable<boost::system::error_code> exchange(HttpRequest& request,
                                                             HttpResponse& response);

 private:
  boost::asio::ssl::stream<boost::beast::tcp_stream> stream_;
  boost::beast::flat_buffer buffer_;
  const SatelliteIdentity* identity_;
};

// "HOST:PORT" as an endpoint (numeric addresses only: the bench dials loopback). Throws on
// anything else: start-up only.
boost::asio::ip::tcp::endpoint parse_endpoint(const std::string& host_port);

}  // namespace fleet_sim
