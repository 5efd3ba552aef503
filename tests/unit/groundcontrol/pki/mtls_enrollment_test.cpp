// The PKI pieces fitted together over real sockets on 127.0.0.1: common::http::Server with
// a server certificate from CertificateAuthority::issue_server_certificate and client
// certificates required from that CA; the libcurl HttpClient trusting the CA through its
// CA file and presenting a certificate signed from a device's CSR, as a satellite will
// after enrollment. The handler sees the PeerIdentity the CA wrote. A certificate from
// another CA, an expired one and none are refused at the handshake, before any handler.
// OpenSSL checks validity against the real time, so the FakeClock is set from it: to two
// days ago for the expired certificate, then to now.
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <optional>
#include <thread>

#include "common/crypto/certificate_request.hpp"
#include "common/crypto/key_pair.hpp"
#include "common/fs/file_ops.hpp"
#include "common/http/http_client.hpp"
#include "common/http/server.hpp"
#include "common/log/logger.hpp"
#include "groundcontrol/pki/ca_bundle.hpp"
#include "groundcontrol/pki/certificate_authority.hpp"
#include "testutil/fake_clock.hpp"
#include "testutil/temp_dir.hpp"

namespace groundcontrol::pki {
namespace {

namespace http = common::http;
using namespace std::chrono_literals;
using common::crypto::CertificateRequest;
using common::crypto::KeyPair;

constexpr std::chrono::hours kTenYears{24 * 3650};

class MtlsEnrollmentTest : public ::testing::Test {
 protected:
  void SetUp() override {
    clock_.advance(std::chrono::system_clock::now() - 48h - clock_.now());
    ca_.emplace(CertificateAuthority::create("Ground Control CA", kTenYears, clock_).value());
    // Valid for one day from two days ago: expired yesterday.
    issue_client("expired", *ca_, "sat-old", 24h);
    clock_.advance(48h);
    issue_client("device", *ca_, "store-0042", 24h);
    auto stranger_ca = CertificateAuthority::create("Stranger CA", kTenYears, clock_).value();
    issue_client("stranger", stranger_ca, "store-0042", 24h);
    write("stranger-ca.crt", stranger_ca.cert_pem());
    stranger_fingerprint_ = stranger_ca.fingerprint_sha256();

    const auto server = ca_->issue_server_certificate({"localhost"}, {"127.0.0.1"}, 24h).value();
    write("server.crt", server.chain_pem);
    ASSERT_TRUE(KeyPair::from_pem(server.key_pem)->write_private_key_file(path("server.key")));
    write("ca.crt", ca_->cert_pem());
  }

  void TearDown() override {
    if (server_) server_->stop();
    if (thread_.joinable()) thread_.join();
  }

  // A device key made and kept on the "device", a CSR sent to the CA, the certificate back.
  void issue_client(const std::string& name, const CertificateAuthority& ca, const std::string& cn,
                    std::chrono::seconds validity) {
    const auto key = KeyPair::generate_p256().value();
    ASSERT_TRUE(key.write_private_key_file(path(name + ".key")));
    const auto csr = CertificateRequest::create(key, cn)->pem().value();
    auto issued =
        ca.sign_client_certificate(csr, {cn, "spiffe://gc.example/satellite/" + cn, validity});
    ASSERT_TRUE(issued) << issued.error().message();
    write(name + ".crt", issued->cert_pem);
    issued_.emplace(name, *issued);
  }

  std::string path(const std::string& name) const { return dir_.str() + "/" + name; }
  void write(const std::string& name, const std::string& text) {
    ASSERT_TRUE(common::fs::atomic_write_file(path(name), text));
  }

  // Serves the peer's identity as "cn|spiffe id|serial|fingerprint", client certificates
  // from `client_ca_file` required.
  void start(const std::string& client_ca_file = "ca.crt") {
    http::ServerConfig config;
    config.threads = 1;
    config.tls = http::TlsConfig{path("server.crt"), path("server.key"), path(client_ca_file),
                                 http::ClientCertMode::kRequired};
    auto handler = [this](http::Request& request) -> boost::asio::awaitable<http::Response> {
      ++handled_;
      http::Response response(200);
      const auto* peer = request.peer;
      response.body = peer == nullptr ? std::string("anonymous")
                                      : peer->subject_cn + "|" + std::string(peer->spiffe_id()) +
                                            "|" + peer->serial_hex + "|" +
                                            peer->sha256_fingerprint + "|" + peer->anchor_sha256;
      co_return response;
    };
    auto server = http::Server::create(std::move(config), handler, nullptr,
                                       common::log::null_logger(), clock_);
    ASSERT_TRUE(server) << server.error().message() << ": " << server.error().detail();
    server_ = std::move(*server);
    const auto address = server_->local_address();
    url_ = "https://127.0.0.1:" + address.substr(address.rfind(':') + 1) + "/";
    thread_ = std::thread([this] { server_->run(); });
  }

  // GET / as the holder of certificate `name` ("" for none), trusting `ca_file`.
  common::Result<http::ClientResponse> get(const std::string& name,
                                           const std::string& ca_file = "ca.crt") {
    http::ClientOptions options;
    options.ca_file = path(ca_file);
    options.connect_timeout = 5s;
    options.request_timeout = 10s;
    if (!name.empty()) {
      options.client_cert_file = path(name + ".crt");
      options.client_key_file = path(name + ".key");
    }
    auto client = http::HttpClient::create(std::move(options));
    if (!client) return common::fail(client.error());
    http::ClientRequest request;
    request.url = url_;
    return (*client)->request(request);
  }

  // What the handler answers for certificate `name`, which CA `anchor` vouches for.
  std::string identity_of(const std::string& name, const std::string& anchor) const {
    const auto& issued = issued_.at(name);
    return "store-0042|spiffe://gc.example/satellite/store-0042|" + issued.serial_hex + "|" +
           issued.fingerprint_sha256 + "|" + anchor;
  }

  testutil::TempDir dir_;
  testutil::FakeClock clock_;
  std::optional<CertificateAuthority> ca_;
  std::map<std::string, IssuedCertificate> issued_;
  std::string stranger_fingerprint_;
  std::unique_ptr<http::Server> server_;
  std::thread thread_;
  std::string url_;
  std::atomic<int> handled_{0};
};

TEST_F(MtlsEnrollmentTest, TheDeviceCertificateIsAcceptedAndIdentifiesTheSatellite) {
  start();
  auto response = get("device");
  ASSERT_TRUE(response) << response.error().message() << ": " << response.error().detail();
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, identity_of("device", ca_->fingerprint_sha256()));
}

TEST_F(MtlsEnrollmentTest, ACertificateFromAnotherCaIsRefused) {
  start();
  auto response = get("stranger");
  EXPECT_FALSE(response) << response->status << " " << response->body;
  EXPECT_EQ(handled_, 0);
}

TEST_F(MtlsEnrollmentTest, AnExpiredCertificateIsRefused) {
  start();
  auto response = get("expired");
  EXPECT_FALSE(response) << response->status << " " << response->body;
  EXPECT_EQ(handled_, 0);
}

TEST_F(MtlsEnrollmentTest, NoCertificateIsRefused) {
  start();
  auto response = get("");
  EXPECT_FALSE(response) << response->status << " " << response->body;
  EXPECT_EQ(handled_, 0);
}

TEST_F(MtlsEnrollmentTest, TheClientRefusesAServerItsCaFileDoesNotName) {
  start();
  auto response = get("device", "stranger-ca.crt");
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().code(), common::ErrorCode::kPermissionDenied)
      << response.error().detail();
}

TEST_F(MtlsEnrollmentTest, DuringRotationTheBundleAcceptsBothCas) {
  auto bundle = CaBundle::parse(ca_->cert_pem()).value();
  ASSERT_TRUE(bundle.add(common::fs::read_file(path("stranger-ca.crt")).value()));
  write("bundle.crt", bundle.pem());
  start("bundle.crt");
  auto old_ca = get("device");
  ASSERT_TRUE(old_ca) << old_ca.error().message() << ": " << old_ca.error().detail();
  EXPECT_EQ(old_ca->body, identity_of("device", ca_->fingerprint_sha256()));
  auto new_ca = get("stranger");
  ASSERT_TRUE(new_ca) << new_ca.error().message() << ": " << new_ca.error().detail();
  // Each identity names the CA of the bundle that vouches for it.
  EXPECT_EQ(new_ca->body, identity_of("stranger", stranger_fingerprint_));
  EXPECT_FALSE(get("expired"));
}

}  // namespace
}  // namespace groundcontrol::pki
