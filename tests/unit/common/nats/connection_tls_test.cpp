// The NATS client over TLS against a server whose certificate comes from a throw-away CA.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "common/nats/connection.hpp"
#include "nats_test_support.hpp"
#include "testutil/nats_server_instance.hpp"
#include "testutil/temp_dir.hpp"

namespace common::nats {
namespace {

using namespace std::chrono_literals;
using nats_test::test_options;
using testutil::NatsServerInstance;

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// A CA, a server certificate for 127.0.0.1 and a client certificate issued by it, made with
// the openssl CLI. They live in a temp dir of their own: the server's config must name them
// before it starts.
class NatsTls : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string d = dir_.str();
    const std::string ec = " -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes";
    const std::string script =
        "cd " + d + " && (openssl req -x509" + ec +
        " -days 1 -subj /CN=nats-test-ca -keyout ca.key -out ca.pem"
        " && openssl req" +
        ec +
        " -subj /CN=127.0.0.1 -keyout server.key -out server.csr"
        " && printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\\n' > ext.cnf"
        " && openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial"
        " -days 1 -extfile ext.cnf -out server.pem"
        " && openssl req" +
        ec +
        " -subj /CN=edge-1 -keyout client.key -out client.csr"
        " && printf 'extendedKeyUsage=clientAuth\\n' > client.cnf"
        " && openssl x509 -req -in client.csr -CA ca.pem -CAkey ca.key -CAcreateserial"
        " -days 1 -extfile client.cnf -out client.pem"
        " && openssl req" +
        ec +
        " -subj /CN=impostor.example -keyout impostor.key -out impostor.csr"
        " && printf 'subjectAltName=DNS:impostor.example\\n' > impostor.cnf"
        " && openssl x509 -req -in impostor.csr -CA ca.pem -CAkey ca.key -CAcreateserial"
        " -days 1 -extfile impostor.cnf -out impostor.pem) >openssl.log 2>&1";
    ASSERT_EQ(std::system(script.c_str()), 0) << read_file(dir_.path() / "openssl.log");
    server_ = NatsServerInstance::start("tls {\n  cert_file: \"" + path("server.pem") +
                                        "\"\n  key_file: \"" + path("server.key") +
                                        "\"\n  ca_file: \"" + path("ca.pem") + "\"\n" +
                                        (verify_clients_ ? "  verify: true\n" : "") + "}\n");
  }

  std::string path(const char* name) const { return (dir_.path() / name).string(); }

  ConnectionOptions tls_options() const {
    auto options = test_options("tls://127.0.0.1:" + std::to_string(server_->port()));
    options.retry_on_failed_connect = false;  // a refusal should come back, not be retried
    options.tls.required = true;
    return options;
  }

  bool verify_clients_ = false;  // mutual TLS: the server asks for a client certificate
  testutil::TempDir dir_;
  std::unique_ptr<NatsServerInstance> server_;
};

TEST_F(NatsTls, ClientTrustingTheCaConnectsAndPublishes) {
  auto options = tls_options();
  options.tls.ca_file = path("ca.pem");
  auto connection = Connection::connect(options);
  ASSERT_TRUE(connection) << connection.error().message();
  EXPECT_TRUE((*connection)->connected());
  EXPECT_TRUE((*connection)->publish("over.tls", "x"));
  EXPECT_TRUE((*connection)->flush(2s));
}

TEST_F(NatsTls, CaGivenAsPemTextWorksLikeAFile) {
  auto options = tls_options();
  options.tls.ca_pem = read_file(path("ca.pem"));
  auto connection = Connection::connect(options);
  ASSERT_TRUE(connection) << connection.error().message();
  EXPECT_TRUE((*connection)->flush(2s));
}

TEST_F(NatsTls, ClientWithoutTheCaIsRefused) {
  auto connection = Connection::connect(tls_options());  // system CAs only
  ASSERT_FALSE(connection);
  EXPECT_EQ(connection.error().code(), ErrorCode::kUnavailable);
  EXPECT_NE(connection.error().message().find("SSL"), std::string::npos)
      << connection.error().message();
}

TEST_F(NatsTls, PlainClientIsRefused) {
  auto options = test_options(server_->url());
  options.retry_on_failed_connect = false;
  auto connection = Connection::connect(options);
  ASSERT_FALSE(connection);
  EXPECT_EQ(connection.error().code(), ErrorCode::kUnavailable) << connection.error().message();
}

TEST_F(NatsTls, UnreadableCaFileIsInvalid) {
  auto options = tls_options();
  options.tls.ca_file = path("missing.pem");
  auto connection = Connection::connect(options);
  ASSERT_FALSE(connection);
  EXPECT_NE(connection.error().message().find("missing.pem"), std::string::npos)
      << connection.error().message();
}

TEST_F(NatsTls, CertificateForAnotherNameIsRefused) {
  auto options = tls_options();
  options.tls.ca_file = path("ca.pem");
  options.tls.host_name = "nats.example";
  auto connection = Connection::connect(options);
  ASSERT_FALSE(connection);
  EXPECT_EQ(connection.error().code(), ErrorCode::kUnavailable) << connection.error().message();
}

// The server's certificate must name the host the client asked for, not merely come from
// the CA: else any certificate the CA issued (a satellite's) could pose as the server. This
// rests on libnats's NATS_FORCE_HOST_VERIFICATION build option (Debian sets it).
TEST_F(NatsTls, ServerWithAnotherNamesCertificateFromTheSameCaIsRefused) {
  auto impostor =
      NatsServerInstance::start("tls {\n  cert_file: \"" + path("impostor.pem") +
                                "\"\n  key_file: \"" + path("impostor.key") + "\"\n}\n");
  auto options = tls_options();
  options.servers = {"tls://127.0.0.1:" + std::to_string(impostor->port())};
  options.tls.ca_file = path("ca.pem");
  auto connection = Connection::connect(options);
  ASSERT_FALSE(connection) << "accepted a certificate for impostor.example";
  EXPECT_EQ(connection.error().code(), ErrorCode::kUnavailable) << connection.error().message();
}

TEST_F(NatsTls, HostNameComesFromTheUrl) {
  auto options = tls_options();
  options.tls.ca_file = path("ca.pem");
  options.servers = {"tls://localhost:" + std::to_string(server_->port())};
  auto by_name = Connection::connect(options);  // the certificate also names localhost
  ASSERT_TRUE(by_name) << by_name.error().message();
}

class NatsMutualTls : public NatsTls {
 protected:
  NatsMutualTls() { verify_clients_ = true; }
};

TEST_F(NatsMutualTls, ClientWithACertificateFromTheCaConnects) {
  auto options = tls_options();
  options.tls.ca_file = path("ca.pem");
  options.tls.cert_file = path("client.pem");
  options.tls.key_file = path("client.key");
  auto connection = Connection::connect(options);
  ASSERT_TRUE(connection) << connection.error().message();
  EXPECT_TRUE((*connection)->flush(2s));
}

TEST_F(NatsMutualTls, ClientWithoutACertificateIsRefused) {
  auto options = tls_options();
  options.tls.ca_file = path("ca.pem");
  auto connection = Connection::connect(options);
  if (connection) {
    // TLS 1.3 reports the server's refusal only after the handshake: the link then dies.
    EXPECT_FALSE((*connection)->flush(1s));
  } else {
    EXPECT_EQ(connection.error().code(), ErrorCode::kUnavailable) << connection.error().message();
  }
}

}  // namespace
}  // namespace common::nats
