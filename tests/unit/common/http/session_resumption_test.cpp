// TLS session resumption across Server instances: servers whose ticket keys come from one
// secret (ground control's replicas) resume each other's sessions, so a client that moves to
// another replica, or comes back after a reload, skips the full handshake; the verified client
// identity comes back with the session. Real sockets on 127.0.0.1, clients from
// tls_test_support.hpp, the ticket period driven by a FakeClock.
#include <gtest/gtest.h>

#include <boost/asio/awaitable.hpp>

#include <array>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "common/http/server.hpp"
#include "common/http/session_ticket_keys.hpp"
#include "common/log/logger.hpp"
#include "testutil/fake_clock.hpp"
#include "unit/common/http/tls_test_support.hpp"

namespace common::http {
namespace {

namespace asio = boost::asio;
using testutil::tls::Certificates;
using testutil::tls::Session;
using testutil::tls::TlsClient;

// Answers with the client certificate's CN, or "anonymous"; "<cn> without anchor" when the
// identity lost which CA vouches for it (a resumed session keeps no verified chain: the
// server must build it again, or identities that tell CAs apart would fail on resumption).
Handler cn_handler() {
  return [](Request& request) -> asio::awaitable<Response> {
    Response response(200);
    if (request.peer == nullptr)
      response.body = std::string("anonymous");
    else
      response.body =
          request.peer->subject_cn + (request.peer->anchor_sha256.empty() ? " without anchor" : "");
    co_return response;
  };
}

std::shared_ptr<const SessionTicketKeys> keys(std::string_view secret, std::string_view label) {
  const std::string padded = std::string(secret) + std::string(32, '.');
  return std::make_shared<const SessionTicketKeys>(SessionTicketKeys::derive(
      std::span(reinterpret_cast<const unsigned char*>(padded.data()), padded.size()), label));
}

// One running TLS server; stops and joins when it dies.
class RunningServer {
 public:
  RunningServer(const Certificates& certs, std::shared_ptr<const SessionTicketKeys> tickets,
                const Clock& clock, ClientCertMode mode = ClientCertMode::kRequired) {
    ServerConfig config;
    config.threads = 1;
    config.tls = TlsConfig{certs.path("server1.crt"), certs.path("server1.key"),
                           certs.path("ca.crt"), mode, std::move(tickets)};
    auto server =
        Server::create(std::move(config), cn_handler(), nullptr, log::null_logger(), clock);
    if (!server) {
      error_ = server.error().message() + ": " + server.error().detail();
      return;
    }
    server_ = std::move(*server);
    const auto address = server_->local_address();
    port_ = static_cast<std::uint16_t>(std::stoi(address.substr(address.rfind(':') + 1)));
    thread_ = std::thread([this] { server_->run(); });
  }
  ~RunningServer() {
    if (server_) server_->stop();
    if (thread_.joinable()) thread_.join();
  }
  const std::string& error() const { return error_; }
  std::uint16_t port() const { return port_; }
  Server& server() { return *server_; }

 private:
  std::string error_;
  std::unique_ptr<Server> server_;
  std::thread thread_;
  std::uint16_t port_ = 0;
};

class SessionResumptionTest : public testutil::tls::CertificatesSuite {
 protected:
  // A session of client "a" made by a full handshake with `server`, after one request.
  Session first_session(RunningServer& server) {
    TlsClient client(server.port(), *certs_, "a");
    EXPECT_EQ(client.get(), "a");
    EXPECT_FALSE(client.resumed());
    return client.session();
  }

  testutil::FakeClock clock_;
};

TEST_F(SessionResumptionTest, ServersSharingASecretResumeEachOthersSessionsWithTheIdentity) {
  RunningServer a(*certs_, keys("fleet secret", "satellite"), clock_);
  RunningServer b(*certs_, keys("fleet secret", "satellite"), clock_);
  ASSERT_EQ(a.error(), "");
  ASSERT_EQ(b.error(), "");
  const Session session = first_session(a);

  TlsClient moved(b.port(), *certs_, "a", session);
  EXPECT_EQ(moved.get(), "a");  // the identity the full handshake verified, on the other server
  EXPECT_TRUE(moved.resumed());
  EXPECT_EQ(a.server().tls_handshakes().full, 1u);
  EXPECT_EQ(b.server().tls_handshakes().full, 0u);
  EXPECT_EQ(b.server().tls_handshakes().resumed, 1u);
}

TEST_F(SessionResumptionTest, AnotherSecretOrAnotherListenerMeansAFullHandshake) {
  RunningServer a(*certs_, keys("fleet secret", "satellite"), clock_);
  RunningServer stranger(*certs_, keys("another secret", "satellite"), clock_);
  RunningServer management(*certs_, keys("fleet secret", "management"), clock_);
  const Session session = first_session(a);

  for (RunningServer* other : {&stranger, &management}) {
    TlsClient client(other->port(), *certs_, "a", session);
    EXPECT_EQ(client.get(), "a");  // served, after a full handshake
    EXPECT_FALSE(client.resumed());
    EXPECT_EQ(other->server().tls_handshakes().full, 1u);
    EXPECT_EQ(other->server().tls_handshakes().resumed, 0u);
  }
}

TEST_F(SessionResumptionTest, ASessionSurvivesAReloadOfTheCertificates) {
  RunningServer server(*certs_, keys("fleet secret", "satellite"), clock_);
  const Session session = first_session(server);
  ASSERT_TRUE(server.server().reload_tls());
  TlsClient client(server.port(), *certs_, "a", session);
  EXPECT_EQ(client.get(), "a");
  EXPECT_TRUE(client.resumed());
}

TEST_F(SessionResumptionTest, WithoutKeysSessionsResumeOnlyOnTheContextThatMadeThem) {
  RunningServer server(*certs_, nullptr, clock_);
  const Session session = first_session(server);
  TlsClient again(server.port(), *certs_, "a", session);
  EXPECT_EQ(again.get(), "a");
  EXPECT_TRUE(again.resumed());
  ASSERT_TRUE(server.server().reload_tls());
  TlsClient after_reload(server.port(), *certs_, "a", session);
  EXPECT_EQ(after_reload.get(), "a");
  EXPECT_FALSE(after_reload.resumed());
}

TEST_F(SessionResumptionTest, TicketsOutliveOneRotationButNotTwo) {
  RunningServer server(*certs_, keys("fleet secret", "satellite"), clock_);
  const Session session = first_session(server);
  clock_.advance(SessionTicketKeys::kPeriod);  // the next period: the previous key still opens
  TlsClient next_period(server.port(), *certs_, "a", session);
  EXPECT_EQ(next_period.get(), "a");
  EXPECT_TRUE(next_period.resumed());
  clock_.advance(SessionTicketKeys::kPeriod);  // two periods on: that key is gone
  TlsClient later(server.port(), *certs_, "a", session);
  EXPECT_EQ(later.get(), "a");
  EXPECT_FALSE(later.resumed());
}

TEST_F(SessionResumptionTest, AnAnonymousSessionIsNotResumedWhereACertificateIsRequired) {
  RunningServer optional(*certs_, keys("fleet secret", "satellite"), clock_,
                         ClientCertMode::kOptional);
  RunningServer required(*certs_, keys("fleet secret", "satellite"), clock_);
  TlsClient anonymous(optional.port(), *certs_);
  ASSERT_EQ(anonymous.get(), "anonymous");
  TlsClient sneaking(required.port(), *certs_, {}, anonymous.session());
  EXPECT_FALSE(sneaking.get().has_value());
  EXPECT_EQ(required.server().tls_handshakes().resumed, 0u);
}

}  // namespace
}  // namespace common::http
