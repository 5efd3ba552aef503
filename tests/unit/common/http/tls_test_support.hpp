// Test support for the Server's TLS: certificates made with the openssl CLI in a temp dir,
// and a client over a Boost.Asio SSL stream driven with run_for, so that every step is
// bounded in time. Header-only; tests only.
#pragma once

#include <gtest/gtest.h>
#include <openssl/ssl.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>

#include "testutil/temp_dir.hpp"

namespace testutil::tls {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

// Runs `command` with sh; true when it exits 0.
inline bool sh(const std::string& command) {
  return std::system((command + " 2>/dev/null").c_str()) == 0;
}

inline std::string slurp(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// A CA ("ca"), two server certificates for 127.0.0.1 from it ("server1", "server2"), a
// client certificate from it with a SPIFFE ID ("a"), and a client certificate from another
// CA ("stranger").
class Certificates {
 public:
  Certificates() {
    const std::string d = dir_.str();
    const std::string ec = " -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes";
    ok_ =
        sh("cd " + d + " && openssl req -x509" + ec + " -days 2 -subj /CN=test-ca" +
           " -keyout ca.key -out ca.crt && openssl req -x509" + ec +
           " -days 2 -subj /CN=other-ca -keyout other.key -out other.crt") &&
        issue("server1", "ca", "subjectAltName=IP:127.0.0.1") &&
        issue("server2", "ca", "subjectAltName=IP:127.0.0.1") &&
        issue("a", "ca",
              "subjectAltName=URI:spiffe://example.org/satellite/a,DNS:a.example.org\\n"
              "extendedKeyUsage=clientAuth") &&
        issue("stranger", "other",
              "subjectAltName=URI:spiffe://example.org/satellite/x\\nextendedKeyUsage=clientAuth");
  }
  bool ok() const { return ok_; }
  std::string path(std::string_view name) const { return (dir_.path() / name).string(); }
  // `openssl x509 -noout FLAG` of certificate `name`, after the '=', lowercase, no colons.
  std::string field(std::string_view name, std::string_view flag) const {
    const auto out = (dir_.path() / "field.txt").string();
    if (!sh("openssl x509 -in " + path(std::string(name) + ".crt") + " -noout " +
            std::string(flag) + " >" + out))
      return {};
    auto text = slurp(out);
    text = text.substr(text.find('=') + 1);
    std::erase_if(text, [](char c) { return c == ':' || c == '\n'; });
    std::transform(text.begin(), text.end(), text.begin(), ::tolower);
    return text;
  }

 private:
  bool issue(const std::string& name, const std::string& ca, const std::string& extensions) {
    const std::string d = dir_.str();
    return sh("cd " + d + " && printf '" + extensions + "\\n' >" + name + ".ext" +
              " && openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=" +
              name + " -keyout " + name + ".key -out " + name + ".csr && openssl x509 -req -in " +
              name + ".csr -CA " + ca + ".crt -CAkey " + ca + ".key -CAcreateserial -days 2" +
              " -extfile " + name + ".ext -out " + name + ".crt");
  }

  testutil::TempDir dir_;
  bool ok_ = false;
};

// The TLS session a client kept, to offer on its next connection.
using Session = std::shared_ptr<SSL_SESSION>;

// One TLS client connection; every operation gives up after 5 s. Given a Session, it offers
// it for resumption.
class TlsClient {
 public:
  TlsClient(std::uint16_t port, const Certificates& certs, std::string_view client = {},
            const Session& offer = nullptr)
      : context_(asio::ssl::context::tls_client) {
    context_.load_verify_file(certs.path("ca.crt"));
    context_.set_verify_mode(asio::ssl::verify_peer);
    if (!client.empty()) {
      context_.use_certificate_chain_file(certs.path(std::string(client) + ".crt"));
      context_.use_private_key_file(certs.path(std::string(client) + ".key"),
                                    asio::ssl::context::pem);
    }
    stream_.emplace(ioc_, context_);
    if (offer) SSL_set_session(stream_->native_handle(), offer.get());
    boost::system::error_code ec;
    stream_->next_layer().connect({asio::ip::make_address("127.0.0.1"), port}, ec);
    if (ec) return;
    stream_->async_handshake(asio::ssl::stream_base::client,
                             [this](boost::system::error_code e) { handshake_error_ = e; });
    if (!run()) handshake_error_ = asio::error::timed_out;
  }

  bool handshake_ok() const { return handshake_error_.has_value() && !*handshake_error_; }

  // GET `target` on this connection (keep-alive): the body of a 200, nullopt on any failure
  // (in TLS 1.3 a refused client certificate shows here, after the client's handshake).
  std::optional<std::string> get(std::string_view target = "/") {
    if (!handshake_ok()) return std::nullopt;
    beast::http::request<beast::http::empty_body> request(beast::http::verb::get, target, 11);
    request.set(beast::http::field::host, "127.0.0.1");
    beast::http::response<beast::http::string_body> response;
    std::optional<boost::system::error_code> result;
    beast::http::async_write(*stream_, request, [&](boost::system::error_code ec, std::size_t) {
      if (ec) {
        result = ec;
        return;
      }
      beast::http::async_read(*stream_, buffer_, response,
                              [&](boost::system::error_code e, std::size_t) { result = e; });
    });
    if (!run() || !result || *result || response.result_int() != 200) return std::nullopt;
    return response.body();
  }

  // Whether the handshake resumed the offered session.
  bool resumed() { return handshake_ok() && SSL_session_reused(stream_->native_handle()); }
  // The session to offer next time: in TLS 1.3 its ticket arrives after the handshake, so
  // call this after a get(). A copy: OpenSSL marks a connection's own session unresumable
  // when the connection ends without a TLS shutdown, as these clients end.
  Session session() {
    SSL_SESSION* own = SSL_get1_session(stream_->native_handle());
    Session copy(own ? SSL_SESSION_dup(own) : nullptr, SSL_SESSION_free);
    SSL_SESSION_free(own);
    return copy;
  }

  // The server certificate's subject CN.
  std::string server_cn() {
    X509* cert = SSL_get0_peer_certificate(stream_->native_handle());
    if (cert == nullptr) return {};
    char name[256] = {};
    X509_NAME_get_text_by_NID(X509_get_subject_name(cert), NID_commonName, name, sizeof name);
    return name;
  }

 private:
  // Runs the pending operation for at most 5 s; false when it did not finish.
  bool run() {
    ioc_.restart();
    ioc_.run_for(5s);
    if (!ioc_.stopped()) {
      boost::system::error_code ignored;
      stream_->next_layer().close(ignored);
      ioc_.restart();
      ioc_.run_for(1s);
      return false;
    }
    return true;
  }

  asio::io_context ioc_;
  asio::ssl::context context_;
  std::optional<asio::ssl::stream<asio::ip::tcp::socket>> stream_;
  beast::flat_buffer buffer_;
  std::optional<boost::system::error_code> handshake_error_;
};

// A test suite sharing one set of Certificates, made once (openssl takes a while).
class CertificatesSuite : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { certs_ = new Certificates(); }
  static void TearDownTestSuite() {
    delete certs_;
    certs_ = nullptr;
  }
  void SetUp() override { ASSERT_TRUE(certs_->ok()) << "openssl could not make the certificates"; }

  static inline Certificates* certs_ = nullptr;
};

}  // namespace testutil::tls
