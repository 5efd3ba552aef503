// The Server's TLS over real sockets on 127.0.0.1: client certificate verification
// (required, optional, off), the verified identity a handler sees, and reload_tls().
// Certificates and clients: tls_test_support.hpp.
#include <gtest/gtest.h>

#include <boost/asio/awaitable.hpp>

#include <filesystem>
#include <memory>
#include <string>
#include <thread>

#include "common/http/server.hpp"
#include "common/log/logger.hpp"
#include "testutil/temp_dir.hpp"
#include "unit/common/http/tls_test_support.hpp"

namespace common::http {
namespace {

namespace asio = boost::asio;
namespace fs = std::filesystem;
using testutil::tls::Certificates;
using testutil::tls::TlsClient;

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

class ServerTlsTest : public testutil::tls::CertificatesSuite {
 protected:
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

  testutil::TempDir dir_;
  std::unique_ptr<Server> server_;
  std::thread thread_;
  std::uint16_t port_ = 0;
};

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
