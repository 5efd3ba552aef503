#include "https_connection.hpp"

#include <openssl/ssl.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

#include <stdexcept>

namespace fleet_sim {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
using boost::system::error_code;
constexpr auto kUseTuple = asio::as_tuple(asio::use_awaitable);

}  // namespace

asio::ssl::context client_tls_context(const std::string& ca_file) {
  asio::ssl::context tls(asio::ssl::context::tls_client);
  tls.set_options(asio::ssl::context::no_sslv2 | asio::ssl::context::no_sslv3);
  tls.load_verify_file(ca_file);
  tls.set_verify_mode(asio::ssl::verify_peer);
  // Keeps 10,000 held connections small: buffers are freed while a connection idles.
  SSL_CTX_set_mode(tls.native_handle(), SSL_MODE_RELEASE_BUFFERS);
  return tls;
}

HttpsConnection::HttpsConnection(asio::io_context& io, asio::ssl::context& tls,
                                 const SatelliteIdentity* identity)
    : stream_(io, tls), identity_(identity) {}

asio::awaitable<error_code> HttpsConnection::connect(const asio::ip::tcp::endpoint& endpoint,
                                                     const TlsSession& session) {
  auto& tcp = beast::get_lowest_layer(stream_);
  if (auto [ec] = co_await tcp.async_connect(endpoint, kUseTuple); ec) co_return ec;
  tcp.socket().set_option(asio::ip::tcp::no_delay(true));
  if (identity_) {
    SSL* ssl = stream_.native_handle();
    if (SSL_use_certificate(ssl, identity_->certificate.get()) != 1 ||
        SSL_use_PrivateKey(ssl, identity_->key.native()) != 1)
      co_return asio::error::make_error_code(asio::error::invalid_argument);
  }
  if (session) SSL_set_session(stream_.native_handle(), session.get());
  auto [ec] = co_await stream_.async_handshake(asio::ssl::stream_base::client, kUseTuple);
  co_return ec;
}

bool HttpsConnection::resumed() {
  return SSL_session_reused(stream_.native_handle()) == 1;
}

TlsSession HttpsConnection::session() {
  SSL_SESSION* own = SSL_get1_session(stream_.native_handle());
  if (own == nullptr) return nullptr;
  TlsSession copy(SSL_SESSION_is_resumable(own) ? SSL_SESSION_dup(own) : nullptr, SSL_SESSION_free);
  SSL_SESSION_free(own);
  return copy;
}

asio::awaitable<error_code> HttpsConnection::write(HttpRequest& request) {
  request.prepare_payload();
  auto [ec, n] = co_await beast::http::async_write(stream_, request, kUseTuple);
  co_return ec;
}

asio::awaitable<error_code> HttpsConnection::read(HttpResponse& response) {
  response = {};
  auto [ec, n] = co_await beast::http::async_read(stream_, buffer_, response, kUseTuple);
  co_return ec;
}

asio::awaitable<error_code> HttpsConnection::exchange(HttpRequest& request,
                                                      HttpResponse& response) {
  if (auto ec = co_await write(request)) co_return ec;
  co_return co_await read(response);
}

asio::ip::tcp::endpoint parse_endpoint(const std::string& host_port) {
  const auto colon = host_port.rfind(':');
  if (colon == std::string::npos) throw std::invalid_argument("expected HOST:PORT: " + host_port);
  auto host = host_port.substr(0, colon);
  if (host.size() > 2 && host.front() == '[') host = host.substr(1, host.size() - 2);
  return {asio::ip::make_address(host),
          static_cast<unsigned short>(std::stoul(host_port.substr(colon + 1)))};
}

}  // namespace fleet_sim
