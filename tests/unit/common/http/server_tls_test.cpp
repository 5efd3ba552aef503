// The Server's TLS over real sockets on 127.0.0.1: client certificate verification
// (required, optional, off), the verified identity a handler sees, and reload_tls().
// Certificates are made once per suite with the openssl CLI in a temp dir; clients are
// Boost.Asio SSL streams driven with run_for, so every step is bounded in time.
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
#include <thread>

#include "common/http/server.hpp"
#include "common/log/logger.hpp"
#include "testutil/temp_dir.hpp"

namespace common::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

// Runs `command` with sh; true when it exits 0.
bool sh(const std::string& command) {
  return std::system((command + " 2>/dev/null").c_str()) == 0;
}

std::string slurp(const fs::path& path) {
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

// One TLS client connection; every operation gives up after 5 s.
class TlsClient {
 public:
  TlsClient(std::uint16_t port, const Certificates& certs, std::string_view client = {})
      : context_(asio::ssl::context::tls_client) {
    context_.load_verify_file(certs.path("ca.crt"));
    context_.set_verify_mode(asio::ssl::verify_peer);
    if (!client.empty()) {
      context_.use_certificate_chain_file(certs.path(std::string(client) + ".crt"));
      context_.use_private_key_file(certs.path(std::string(client) + ".key"),
                                    asio::ssl::context::pem);
    }
    stream_.emplace(ioc_, context_);
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

// Answers with what the server says about the client: "anonymous" or
// "cn|spiffe id|dns sans|serial|fingerprint|notAfter".
Handler identity_handler() {
  return [](Request& request) -> asio::awaitable<Response> {
    Response response(200);
    if (request.peer == nullptr) {
      response.body = std::string("anonymous");
      co_return response;
    }
    const auto& peer = *request.peer;
    std::string dns;
    for (const auto& name : peer.dns_sans) dns += name + ",";
    response.body = peer.subject_cn + "|" + std::string(peer.spiffe_id()) + "|" + dns + "|" +
                    peer.serial_hex + "|" + peer.sha256_fingerprint + "|" +
                    std::to_string(std::chrono::system_clock::to_time_t(peer.not_after));
    co_return response;
  };
}

class ServerTlsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { certs_ = new Certificates(); }
  static void TearDownTestSuite() {
    delete certs_;
    certs_ = nullptr;
  }
  void SetUp() override { ASSERT_TRUE(certs_->ok()) << "openssl could not make the certificates"; }

  // Serves identity_handler() over TLS with the server1 certificate copied into `dir_` (so a
  // test can replace it) and client verification `mode`.
  void start(ClientCertMode mode) {
    fs::copy_file(certs_->path("server1.crt"), dir_.path() / "server.crt");
    fs::copy_file(certs_->path("server1.key"), dir_.path() / "server.key");
    ServerConfig config;
    config.threads = 1;
    config.tls = TlsConfig{(dir_.path() / "server.crt").string(),
                           (dir_.path() / "server.key").string(), certs_->path("ca.crt"), mode};
    auto server =
        Server::create(std::move(config), identity_handler(), nullptr, log::null_logger());
    ASSERT_TRUE(server) << server.error().message() << ": " << server.error().detail();
    server_ = std::move(*server);
    port_ = static_cast<std::uint16_t>(
        std::stoi(server_->local_address().substr(server_->local_address().rfind(':') + 1)));
    thread_ = std::thread([this] { server_->run(); });
  }
  void TearDown() override {
    if (server_) server_->stop();
    if (thread_.joinable()) thread_.join();
  }

  static Certificates* certs_;
  testutil::TempDir dir_;
  std::unique_ptr<Server> server_;
  std::thread thread_;
  std::uint16_t port_ = 0;
};

Certificates* ServerTlsTest::certs_ = nullptr;

TEST_F(ServerTlsTest, RequiredRefusesAClientWithoutACertificate) {
  start(ClientCertMode::kRequired);
  TlsClient anonymous(port_, *certs_);
  EXPECT_FALSE(anonymous.get().has_value());
}

TEST_F(ServerTlsTest, RequiredHandsTheHandlerTheVerifiedIdentity) {
  start(ClientCertMode::kRequired);
  TlsClient client(port_, *certs_, "a");
  const auto body = client.get();
  ASSERT_TRUE(body.has_value());
  const std::string expected = "a|spiffe://example.org/satellite/a|a.example.org,|" +
                               certs_->field("a", "-serial") + "|" +
                               certs_->field("a", "-fingerprint -sha256") + "|";
  EXPECT_TRUE(body->starts_with(expected)) << *body << "\nwanted " << expected;
  // notAfter: two days from now, give or take the test's run time.
  const auto not_after = std::stoll(body->substr(body->rfind('|') + 1));
  const auto in_two_days = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now() +
                                                                std::chrono::hours(48));
  EXPECT_LT(std::abs(not_after - in_two_days), 120) << *body;
  // The same identity on the next request of the connection.
  EXPECT_EQ(client.get(), body);
}

TEST_F(ServerTlsTest, RequiredRefusesACertificateFromAnotherCa) {
  start(ClientCertMode::kRequired);
  TlsClient stranger(port_, *certs_, "stranger");
  EXPECT_FALSE(stranger.get().has_value());
}

TEST_F(ServerTlsTest, OptionalLetsBothConnectWithAnIdentityOnlyForTheCertificate) {
  start(ClientCertMode::kOptional);
  TlsClient anonymous(port_, *certs_);
  EXPECT_EQ(anonymous.get(), "anonymous");
  TlsClient client(port_, *certs_, "a");
  const auto body = client.get();
  ASSERT_TRUE(body.has_value());
  EXPECT_TRUE(body->starts_with("a|spiffe://example.org/satellite/a|")) << *body;
  // A certificate that does not verify is refused rather than taken as anonymous.
  TlsClient stranger(port_, *certs_, "stranger");
  EXPECT_FALSE(stranger.get().has_value());
}

TEST_F(ServerTlsTest, OffNeverAsksForACertificate) {
  start(ClientCertMode::kOff);
  TlsClient client(port_, *certs_, "a");
  EXPECT_EQ(client.get(), "anonymous");
}

TEST_F(ServerTlsTest, ReloadServesTheNewCertificateToNewConnectionsOnly) {
  start(ClientCertMode::kOff);
  TlsClient old_connection(port_, *certs_);
  ASSERT_TRUE(old_connection.get().has_value());
  EXPECT_EQ(old_connection.server_cn(), "server1");

  // A broken file is refused and the current certificate stays.
  fs::copy_file(certs_->path("server2.key"), dir_.path() / "server.crt",
                fs::copy_options::overwrite_existing);
  EXPECT_FALSE(server_->reload_tls());
  TlsClient still_old(port_, *certs_);
  ASSERT_TRUE(still_old.get().has_value());
  EXPECT_EQ(still_old.server_cn(), "server1");

  fs::copy_file(certs_->path("server2.crt"), dir_.path() / "server.crt",
                fs::copy_options::overwrite_existing);
  fs::copy_file(certs_->path("server2.key"), dir_.path() / "server.key",
                fs::copy_options::overwrite_existing);
  ASSERT_TRUE(server_->reload_tls());
  TlsClient new_connection(port_, *certs_);
  ASSERT_TRUE(new_connection.get().has_value());
  EXPECT_EQ(new_connection.server_cn(), "server2");
  // The keep-alive connection from before the reload goes on with its own context.
  EXPECT_EQ(old_connection.get(), "anonymous");
  EXPECT_EQ(old_connection.server_cn(), "server1");
}

TEST_F(ServerTlsTest, ClientVerificationWithoutACaBundleIsInvalid) {
  ServerConfig config;
  config.tls = TlsConfig{certs_->path("server1.crt"), certs_->path("server1.key"), "",
                         ClientCertMode::kRequired};
  auto server = Server::create(std::move(config), identity_handler(), nullptr, log::null_logger());
  ASSERT_FALSE(server);
  EXPECT_EQ(server.error().code(), ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace common::http
