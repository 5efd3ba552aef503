// HttpClient against real peers: `satellite serve` (HTTP and TLS), a private nginx
// (mTLS with ssl_verify_client, keep-alive, redirects, repeated headers), a socket that
// accepts and never answers, and proxies from the environment pointing at a dead port.
// Certificates come from a CA the test makes with the openssl command line.
#include "common/http/http_client.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <sstream>
#include <thread>

#include "common/crypto/hasher.hpp"
#include "testutil/child_process.hpp"
#include "testutil/static_http_server.hpp"
#include "testutil/temp_dir.hpp"

namespace common::http {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

void write_file(const std::filesystem::path& path, std::string_view text) {
  std::ofstream(path, std::ios::binary) << text;
}

bool port_open(std::uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(port);
  const bool open = ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
  ::close(fd);
  return open;
}

// Two CAs; for each a server certificate for 127.0.0.1 and a client certificate.
void make_pki(const std::filesystem::path& dir) {
  const std::string script = R"(set -e; cd ")" + dir.string() + R"("
key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:prime256v1 -out "$1.key"; }
ca() { key "$1"; openssl req -x509 -new -key "$1.key" -out "$1.crt" -days 2 -subj "/CN=$1"; }
leaf() {
  key "$1"; openssl req -new -key "$1.key" -out "$1.csr" -subj "/CN=$1"
  printf 'subjectAltName=%s\nextendedKeyUsage=%s\n' "$3" "$4" > "$1.ext"
  openssl x509 -req -in "$1.csr" -CA "$2.crt" -CAkey "$2.key" -CAcreateserial -days 2 \
    -extfile "$1.ext" -out "$1.crt"
}
ca ca1; ca ca2
leaf server1 ca1 IP:127.0.0.1 serverAuth; leaf server2 ca2 IP:127.0.0.1 serverAuth
leaf client1 ca1 DNS:client1 clientAuth; leaf client2 ca2 DNS:client2 clientAuth
)";
  write_file(dir / "pki.sh", script);
  ASSERT_EQ(std::system(("bash " + (dir / "pki.sh").string() + " >/dev/null 2>&1").c_str()), 0);
}

// `satellite serve` on a free port; the base URL ("http://127.0.0.1:PORT").
class Satellite {
 public:
  Satellite(const testutil::TempDir& dir, const std::string& name, bool tls) {
    std::vector<std::string> argv{SATELLITE_BIN,          "serve",    "--data-dir",
                                  dir.str() + "/" + name, "--listen", "127.0.0.1:0"};
    if (tls) {
      for (const char* arg : {"--tls-cert", "server1.crt", "--tls-key", "server1.key"}) {
        argv.push_back(arg[0] == '-' ? arg : dir.str() + "/" + arg);
      }
    }
    const auto log = dir.path() / (name + ".log");
    process_.emplace(argv, log.string());
    for (auto deadline = Clock::now() + 20s; Clock::now() < deadline;
         std::this_thread::sleep_for(50ms)) {
      const std::string text = read_file(log);
      const auto at = text.find("listening on ");
      if (at != std::string::npos && text.find('\n', at) != std::string::npos) {
        const auto begin = at + 13;
        url_ = (tls ? "https://" : "http://") + text.substr(begin, text.find('\n', at) - begin);
        return;
      }
    }
    ADD_FAILURE() << "satellite did not start: " << read_file(log);
  }
  const std::string& url() const { return url_; }

 private:
  std::optional<testutil::ChildProcess> process_;
  std::string url_;
};

// A private nginx (master_process off: one process to kill) with four servers:
//   mtls:  TLS with server1 (ca1), client certificates from ca1 required;
//   plain: HTTP, keep-alive, redirects, a 401 with two challenges, a file for ranges;
//   other: HTTP on another port, the target of a cross-origin redirect;
//   alien: TLS with server2, from ca2.
// Every request is logged as "port connection requests authorization uri".
class Nginx {
 public:
  explicit Nginx(const testutil::TempDir& dir) : dir_(dir.path()) {
    if (!std::filesystem::exists(dir_ / "ca1.crt")) make_pki(dir_);
    mtls = testutil::free_loopback_port();
    plain = testutil::free_loopback_port();
    other = testutil::free_loopback_port();
    alien = testutil::free_loopback_port();
    const std::string d = dir.str();
    std::filesystem::create_directories(dir_ / "nginx-tmp");
    std::ostringstream conf;
    conf << "master_process off; pid " << d << "/nginx.pid; error_log " << d
         << "/nginx-error.log info;\nevents { worker_connections 64; }\nhttp {\n"
         << "  log_format reuse '$server_port $connection $connection_requests "
            "\"$http_authorization\" $request_uri';\n"
         << "  access_log " << d << "/access.log reuse;\n";
    for (const char* kind : {"client_body", "proxy", "fastcgi", "uwsgi", "scgi"}) {
      conf << "  " << kind << "_temp_path " << d << "/nginx-tmp/" << kind << ";\n";
    }
    conf << "  server { listen 127.0.0.1:" << mtls << " ssl; ssl_certificate " << d
         << "/server1.crt; ssl_certificate_key " << d << "/server1.key;\n"
         << "    ssl_client_certificate " << d << "/ca1.crt; ssl_verify_client on;\n"
         << "    location / { return 200 \"hello $ssl_client_s_dn\\n\"; } }\n"
         << "  server { listen 127.0.0.1:" << plain << ";\n"
         << "    location /auth { add_header WWW-Authenticate 'Basic realm=\"a\"' always;\n"
         << "      add_header www-authenticate 'Bearer realm=\"b\"' always; return 401; }\n"
         << "    location /same { return 307 /final; }\n"
         << "    location /away { return 307 http://127.0.0.1:" << other << "/final; }\n"
         << "    location /final { return 200 \"final\\n\"; }\n"
         << "    location /files/ { alias " << d << "/files/; } }\n"
         << "  server { listen 127.0.0.1:" << other
         << "; location / { return 200 \"other\\n\"; } }\n"
         << "  server { listen 127.0.0.1:" << alien << " ssl; ssl_certificate " << d
         << "/server2.crt; ssl_certificate_key " << d << "/server2.key;\n"
         << "    location / { return 200 \"alien\\n\"; } }\n}\n";
    write_file(dir_ / "nginx.conf", conf.str());
    process_.emplace(std::vector<std::string>{"nginx", "-p", d, "-c", d + "/nginx.conf", "-e",
                                              d + "/nginx-startup.log", "-g", "daemon off;"},
                     d + "/nginx.out");
    for (auto deadline = Clock::now() + 10s; Clock::now() < deadline;
         std::this_thread::sleep_for(50ms)) {
      if (port_open(mtls) && port_open(plain) && port_open(other) && port_open(alien)) return;
    }
    ADD_FAILURE() << "nginx did not start: " << read_file(dir_ / "nginx.out")
                  << read_file(dir_ / "nginx-error.log");
  }
  std::string url(std::uint16_t port, std::string_view path, bool tls = false) const {
    return (tls ? "https://127.0.0.1:" : "http://127.0.0.1:") + std::to_string(port) +
           std::string(path);
  }
  // The access log once it has `expected` lines (nginx writes a line just after the
  // response), or as it is after 2 s.
  std::vector<std::string> log(std::size_t expected) const {
    std::vector<std::string> lines;
    for (auto deadline = Clock::now() + 2s; lines.size() < expected && Clock::now() < deadline;
         std::this_thread::sleep_for(20ms)) {
      lines.clear();
      std::istringstream in(read_file(dir_ / "access.log"));
      for (std::string line; std::getline(in, line);) lines.push_back(line);
    }
    return lines;
  }

  std::uint16_t mtls = 0, plain = 0, other = 0, alien = 0;

 private:
  std::filesystem::path dir_;
  std::optional<testutil::ChildProcess> process_;
};

std::unique_ptr<HttpClient> make_client(ClientOptions options = {}) {
  auto client = HttpClient::create(std::move(options));
  EXPECT_TRUE(client) << client.error().message();
  return client ? std::move(*client) : nullptr;
}

ClientRequest get(std::string url) {
  ClientRequest request;
  request.url = std::move(url);
  return request;
}

// Sets an environment variable for one scope (tests run one per process under ctest).
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const std::string& value) : name_(name) {
    ::setenv(name, value.c_str(), 1);
  }
  ~ScopedEnv() { ::unsetenv(name_); }

 private:
  const char* name_;
};

// A loopback socket that listens and never answers: the kernel completes the handshake,
// nobody reads or writes. Closed when it goes.
class SilentListener {
 public:
  SilentListener() : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    ok_ = ::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0 &&
          ::listen(fd_, 8) == 0 &&
          ::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length) == 0;
    port_ = ntohs(address.sin_port);
  }
  ~SilentListener() { ::close(fd_); }
  SilentListener(const SilentListener&) = delete;
  SilentListener& operator=(const SilentListener&) = delete;
  bool ok() const { return ok_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/"; }

 private:
  int fd_;
  bool ok_ = false;
  std::uint16_t port_ = 0;
};

class HttpClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* name : {"http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy",
                             "ALL_PROXY", "no_proxy", "NO_PROXY"}) {
      ::unsetenv(name);
    }
  }
  void pki() { make_pki(dir_.path()); }
  std::string file(const char* name) const { return dir_.str() + "/" + name; }

  testutil::TempDir dir_;
};

TEST_F(HttpClientTest, CreateRejectsACertificateWithoutKeyAndMissingFiles) {
  ClientOptions options;
  options.client_cert_file = "/etc/hostname";
  EXPECT_EQ(HttpClient::create(options).error().code(), ErrorCode::kInvalidArgument);
  options = {};
  options.ca_file = file("missing.crt");
  EXPECT_EQ(HttpClient::create(options).error().code(), ErrorCode::kInvalidArgument);
}

TEST_F(HttpClientTest, GetsFromSatelliteWithCaseInsensitiveHeaders) {
  Satellite satellite(dir_, "sat", false);
  auto client = make_client();
  auto response = client->request(get(satellite.url() + "/v2/"));
  ASSERT_TRUE(response) << response.error().message();
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->headers.get("docker-distribution-api-version").value_or(""), "registry/2.0");
  EXPECT_EQ(response->new_connections, 1u);
  auto missing = client->request(get(satellite.url() + "/v2/no/such/manifests/latest"));
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404);  // a response, not an error
  EXPECT_NE(missing->body.find("NAME_UNKNOWN"), std::string::npos) << missing->body;
  EXPECT_EQ(missing->new_connections, 0u);  // kept alive
}

TEST_F(HttpClientTest, StreamsAnUploadFromAnFdAndResumesADownload) {
  Satellite satellite(dir_, "sat", false);
  auto client = make_client();
  std::string blob;
  for (int i = 0; blob.size() < 3 * 1024 * 1024; ++i) blob += std::to_string(i) + ",";
  write_file(dir_.path() / "blob", blob);
  const std::string digest = common::crypto::digest_of(blob).str();

  ClientRequest start = get(satellite.url() + "/v2/test/repo/blobs/uploads/");
  start.method = "POST";
  auto started = client->request(start);
  ASSERT_TRUE(started) << started.error().message();
  ASSERT_EQ(started->status, 202) << started->body;
  std::string location(started->headers.get("location").value_or(""));
  if (location.starts_with("/")) location = satellite.url() + location;
  location += (location.find('?') == std::string::npos ? "?" : "&") + ("digest=" + digest);

  const int fd = ::open((dir_.path() / "blob").c_str(), O_RDONLY);
  ASSERT_GE(fd, 0);
  ClientRequest put = get(location);
  put.method = "PUT";
  put.headers = {{"Content-Type", "application/octet-stream"}};
  put.upload = UploadSource::from_fd(fd, blob.size());
  auto committed = client->request(put);
  ::close(fd);
  ASSERT_TRUE(committed) << committed.error().message();
  ASSERT_EQ(committed->status, 201) << committed->body;

  const std::string blob_url = satellite.url() + "/v2/test/repo/blobs/" + digest;
  std::string received;
  std::size_t chunks = 0;
  auto whole = client->request(get(blob_url), [&](std::string_view chunk) -> Status {
    received.append(chunk);
    ++chunks;
    return {};
  });
  ASSERT_TRUE(whole) << whole.error().message();
  EXPECT_EQ(whole->status, 200);
  EXPECT_TRUE(whole->body.empty());
  EXPECT_EQ(received.size(), blob.size());
  EXPECT_TRUE(received == blob);
  EXPECT_GT(chunks, 1u);  // streamed, not buffered

  ClientRequest resume = get(blob_url);
  resume.resume_from = 1000000;
  received.clear();
  auto rest = client->request(resume, [&](std::string_view chunk) -> Status {
    received.append(chunk);
    return {};
  });
  ASSERT_TRUE(rest) << rest.error().message();
  EXPECT_EQ(rest->status, 206);
  const auto range = rest->content_range();
  ASSERT_TRUE(range);
  EXPECT_EQ(range->first, 1000000u);
  EXPECT_EQ(range->last, blob.size() - 1);
  EXPECT_EQ(range->total.value_or(0), blob.size());
  EXPECT_TRUE(received == blob.substr(1000000));

  // A sink's error aborts the transfer and is what the request returns.
  auto aborted = client->request(get(blob_url), [](std::string_view) -> Status {
    return fail(ErrorCode::kCorruption, "digest mismatch");
  });
  ASSERT_FALSE(aborted);
  EXPECT_EQ(aborted.error().code(), ErrorCode::kCorruption);
  // The sink sees only 2xx bodies: a 404's error envelope is buffered in the response.
  bool sink_called = false;
  auto unknown =
      client->request(get(satellite.url() + "/v2/test/repo/blobs/sha256:" + std::string(64, '0')),
                      [&](std::string_view) -> Status {
                        sink_called = true;
                        return {};
                      });
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->status, 404);
  EXPECT_FALSE(sink_called);
  EXPECT_NE(unknown->body.find("BLOB_UNKNOWN"), std::string::npos) << unknown->body;
}

TEST_F(HttpClientTest, VerifiesTheSatellitesTlsCertificate) {
  pki();
  Satellite satellite(dir_, "sat", true);
  ClientOptions trusted;
  trusted.ca_file = file("ca1.crt");
  auto ok = make_client(trusted)->request(get(satellite.url() + "/v2/"));
  ASSERT_TRUE(ok) << ok.error().message() << ": " << ok.error().detail();
  EXPECT_EQ(ok->status, 200);

  auto untrusted = make_client()->request(get(satellite.url() + "/v2/"));  // system store
  ASSERT_FALSE(untrusted);
  EXPECT_EQ(untrusted.error().code(), ErrorCode::kPermissionDenied) << untrusted.error().detail();
  EXPECT_NE(untrusted.error().detail().find("certificate"), std::string::npos);

  ClientOptions insecure;
  insecure.insecure_skip_verify = true;
  auto skipped = make_client(insecure)->request(get(satellite.url() + "/v2/"));
  ASSERT_TRUE(skipped) << skipped.error().detail();
  EXPECT_EQ(skipped->status, 200);
}

TEST_F(HttpClientTest, PresentsAClientCertificateForMutualTls) {
  pki();
  Nginx nginx(dir_);
  ClientOptions options;
  options.ca_file = file("ca1.crt");
  options.client_cert_file = file("client1.crt");
  options.client_key_file = file("client1.key");
  auto with_cert = make_client(options)->request(get(nginx.url(nginx.mtls, "/", true)));
  ASSERT_TRUE(with_cert) << with_cert.error().message() << ": " << with_cert.error().detail();
  EXPECT_EQ(with_cert->status, 200);
  EXPECT_EQ(with_cert->body, "hello CN=client1\n");

  // Without a certificate, or with one from another CA, nginx completes the handshake
  // and answers 400 ("No required SSL certificate was sent" / "certificate error").
  ClientOptions no_cert;
  no_cert.ca_file = file("ca1.crt");
  auto refused = make_client(no_cert)->request(get(nginx.url(nginx.mtls, "/", true)));
  ASSERT_TRUE(refused) << refused.error().detail();
  EXPECT_EQ(refused->status, 400);
  ClientOptions wrong_cert = no_cert;
  wrong_cert.client_cert_file = file("client2.crt");
  wrong_cert.client_key_file = file("client2.key");
  auto wrong = make_client(wrong_cert)->request(get(nginx.url(nginx.mtls, "/", true)));
  if (wrong) {
    EXPECT_EQ(wrong->status, 400);
  } else {
    EXPECT_EQ(wrong.error().code(), ErrorCode::kUnavailable) << wrong.error().detail();
  }

  // A server certificate from a CA the client does not trust is refused.
  auto alien = make_client(options)->request(get(nginx.url(nginx.alien, "/", true)));
  ASSERT_FALSE(alien);
  EXPECT_EQ(alien.error().code(), ErrorCode::kPermissionDenied) << alien.error().detail();
}

TEST_F(HttpClientTest, ReusesKeepAliveConnections) {
  pki();
  Nginx nginx(dir_);
  ClientOptions options;
  options.ca_file = file("ca1.crt");
  options.client_cert_file = file("client1.crt");
  options.client_key_file = file("client1.key");
  auto client = make_client(options);
  std::vector<unsigned> connects;
  for (const auto& url : {nginx.url(nginx.plain, "/final"), nginx.url(nginx.plain, "/final"),
                          nginx.url(nginx.mtls, "/", true), nginx.url(nginx.plain, "/final"),
                          nginx.url(nginx.mtls, "/", true)}) {
    auto response = client->request(get(url));
    ASSERT_TRUE(response) << response.error().message();
    EXPECT_EQ(response->status, 200);
    connects.push_back(response->new_connections);
  }
  EXPECT_EQ(connects, (std::vector<unsigned>{1, 0, 1, 0, 0}));
  // nginx agrees: on each port one connection served every request, numbered 1, 2, 3.
  const auto log = nginx.log(5);
  ASSERT_EQ(log.size(), 5u);
  auto field = [](const std::string& line, int index) {
    std::istringstream in(line);
    std::string word;
    for (int i = 0; i <= index; ++i) in >> word;
    return word;
  };
  EXPECT_EQ(field(log[0], 1), field(log[1], 1));
  EXPECT_EQ(field(log[0], 1), field(log[3], 1));
  EXPECT_EQ(field(log[3], 2), "3");
  EXPECT_EQ(field(log[2], 1), field(log[4], 1));
  EXPECT_EQ(field(log[4], 2), "2");
}

TEST_F(HttpClientTest, ReusesConnectionsAcrossThreads) {
  Nginx nginx(dir_);
  auto client = make_client();
  ASSERT_TRUE(client->request(get(nginx.url(nginx.plain, "/final"))));
  unsigned connects = 99;
  std::thread([&] {
    auto response = client->request(get(nginx.url(nginx.plain, "/final")));
    if (response) connects = response->new_connections;
  }).join();
  EXPECT_EQ(connects, 0u);  // the shared connection cache
}

TEST_F(HttpClientTest, KeepsRepeatedHeadersApart) {
  Nginx nginx(dir_);
  auto response = make_client()->request(get(nginx.url(nginx.plain, "/auth")));
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 401);
  const auto challenges = response->headers.get_all("WWW-AUTHENTICATE");
  ASSERT_EQ(challenges.size(), 2u);
  EXPECT_EQ(challenges[0], "Basic realm=\"a\"");
  EXPECT_EQ(challenges[1], "Bearer realm=\"b\"");
}

TEST_F(HttpClientTest, FollowsRedirectsButKeepsAuthorizationOnTheOriginalHost) {
  Nginx nginx(dir_);
  auto client = make_client();
  ClientRequest same = get(nginx.url(nginx.plain, "/same"));
  same.headers = {{"Authorization", "Bearer secret-token"}};
  auto followed = client->request(same);
  ASSERT_TRUE(followed);
  EXPECT_EQ(followed->status, 200);
  EXPECT_EQ(followed->body, "final\n");
  EXPECT_EQ(followed->redirects, 1u);

  ClientRequest away = get(nginx.url(nginx.plain, "/away"));
  away.headers = {{"Authorization", "Bearer secret-token"}};
  std::string streamed;
  auto moved = client->request(away, [&](std::string_view chunk) -> Status {
    streamed.append(chunk);
    return {};
  });
  ASSERT_TRUE(moved);
  EXPECT_EQ(moved->status, 200);
  EXPECT_EQ(streamed, "other\n");  // the 307's own body never reaches the sink
  EXPECT_EQ(moved->effective_url, nginx.url(nginx.other, "/final"));

  const auto log = nginx.log(4);
  ASSERT_EQ(log.size(), 4u);
  EXPECT_NE(log[1].find("\"Bearer secret-token\" /final"), std::string::npos) << log[1];
  EXPECT_NE(log[2].find("\"Bearer secret-token\" /away"), std::string::npos) << log[2];
  EXPECT_NE(log[3].find("\"-\" /final"), std::string::npos) << log[3];  // other port: none

  ClientOptions no_follow;
  no_follow.max_redirects = 0;
  auto not_followed = make_client(no_follow)->request(get(nginx.url(nginx.plain, "/away")));
  ASSERT_TRUE(not_followed);
  EXPECT_EQ(not_followed->status, 307);
}

TEST_F(HttpClientTest, AStalledServerFailsWithinTheLowSpeedBound) {
  const SilentListener silent;
  ASSERT_TRUE(silent.ok());
  const std::string url = silent.url();

  ClientOptions slow;
  slow.low_speed_time = 2s;
  auto begin = Clock::now();
  auto stalled = make_client(slow)->request(get(url));
  ASSERT_FALSE(stalled);
  EXPECT_EQ(stalled.error().code(), ErrorCode::kTimeout) << stalled.error().detail();
  EXPECT_LT(Clock::now() - begin, 5s);
  EXPECT_GE(Clock::now() - begin, 1900ms);

  ClientOptions deadline;
  deadline.low_speed_time = 0s;
  deadline.request_timeout = 1s;
  begin = Clock::now();
  auto timed_out = make_client(deadline)->request(get(url));
  ASSERT_FALSE(timed_out);
  EXPECT_EQ(timed_out.error().code(), ErrorCode::kTimeout);
  EXPECT_LT(Clock::now() - begin, 3s);
}

TEST_F(HttpClientTest, AStopRequestedAbortsARequestHeldOpen) {
  const SilentListener silent;  // a long-poll that never answers
  ASSERT_TRUE(silent.ok());
  auto request = get(silent.url());
  std::stop_source stop;
  request.stop = stop.get_token();
  std::jthread stopper([&] {
    std::this_thread::sleep_for(500ms);
    stop.request_stop();
  });
  const auto begin = Clock::now();
  auto stopped = make_client()->request(request);
  ASSERT_FALSE(stopped);
  EXPECT_EQ(stopped.error().code(), ErrorCode::kUnavailable);
  EXPECT_NE(stopped.error().message().find("request stopped"), std::string::npos);
  EXPECT_LT(Clock::now() - begin, 3s);  // not the 30 s low-speed bound
}

TEST_F(HttpClientTest, AResumeAnsweredWithTheWholeBodyReachesNoSink) {
  testutil::StaticHttpServer server(dir_.path() / "static");  // ignores Range: always 200
  server.put("blob", std::string(100000, 'x'));
  ClientRequest resume = get(server.url() + "/blob");
  resume.resume_from = 5000;
  std::size_t received = 0;
  auto response = make_client()->request(resume, [&](std::string_view chunk) -> Status {
    received += chunk.size();
    return {};
  });
  ASSERT_TRUE(response) << response.error().message();
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(received, 0u);
  EXPECT_TRUE(response->body.empty());
}

TEST_F(HttpClientTest, ConnectionRefusedIsUnavailableAndErrorsHideCredentials) {
  const auto port = std::to_string(testutil::free_loopback_port());
  auto refused =
      make_client()->request(get("http://user:hunter2@127.0.0.1:" + port + "/v2/?token=sekrit"));
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code(), ErrorCode::kUnavailable);
  const std::string text = refused.error().message() + refused.error().detail();
  EXPECT_EQ(text.find("hunter2"), std::string::npos) << text;
  EXPECT_EQ(text.find("sekrit"), std::string::npos) << text;
  EXPECT_NE(text.find("127.0.0.1:" + port + "/v2/"), std::string::npos) << text;
}

TEST_F(HttpClientTest, BoundsTheBufferedBody) {
  Nginx nginx(dir_);
  std::filesystem::create_directories(dir_.path() / "files");
  write_file(dir_.path() / "files" / "big", std::string(100000, 'x'));
  ClientOptions options;
  options.max_buffered_body = 50000;
  auto client = make_client(options);
  auto big = client->request(get(nginx.url(nginx.plain, "/files/big")));
  ASSERT_FALSE(big);
  EXPECT_EQ(big.error().code(), ErrorCode::kTooLarge);
  std::size_t streamed = 0;  // streaming has no such bound
  auto ok = client->request(get(nginx.url(nginx.plain, "/files/big")), [&](std::string_view c) {
    streamed += c.size();
    return Status{};
  });
  ASSERT_TRUE(ok);
  EXPECT_EQ(streamed, 100000u);
}

TEST_F(HttpClientTest, HonoursProxiesFromTheEnvironmentAsDocumented) {
  Nginx nginx(dir_);
  const std::string dead = "http://127.0.0.1:" + std::to_string(testutil::free_loopback_port());
  const std::string url = nginx.url(nginx.plain, "/final");
  auto client = make_client();
  {
    ScopedEnv proxy("http_proxy", dead);
    auto through_dead = client->request(get(url));
    ASSERT_FALSE(through_dead);
    EXPECT_EQ(through_dead.error().code(), ErrorCode::kUnavailable);
    {
      ScopedEnv bypass("NO_PROXY", "localhost,127.0.0.1");
      auto bypassed = client->request(get(url));
      ASSERT_TRUE(bypassed) << bypassed.error().detail();
      EXPECT_EQ(bypassed->status, 200);
    }
    ClientOptions never;
    never.proxy = "";  // the environment is ignored
    auto direct = make_client(never)->request(get(url));
    ASSERT_TRUE(direct) << direct.error().detail();
  }
  {
    ScopedEnv upper("HTTP_PROXY", dead);  // ignored for http:// by libcurl (httpoxy)
    auto direct = client->request(get(url));
    ASSERT_TRUE(direct) << direct.error().detail();
  }
  {
    ScopedEnv all("ALL_PROXY", dead);
    auto through_dead = client->request(get(url));
    ASSERT_FALSE(through_dead);
    EXPECT_EQ(through_dead.error().code(), ErrorCode::kUnavailable);
  }
  ClientOptions explicit_proxy;
  explicit_proxy.proxy = dead;
  auto through_dead = make_client(explicit_proxy)->request(get(url));
  ASSERT_FALSE(through_dead);
  EXPECT_EQ(through_dead.error().code(), ErrorCode::kUnavailable);
}

TEST(ClientResponseTest, ParsesContentRange) {
  ClientResponse response;
  response.headers.add("content-range", " bytes 10-19/100 ");
  auto range = response.content_range();
  ASSERT_TRUE(range);
  EXPECT_EQ(range->first, 10u);
  EXPECT_EQ(range->last, 19u);
  EXPECT_EQ(range->total.value_or(0), 100u);
  for (const char* bad : {"bytes 19-10/100", "bytes 10-19/15", "items 1-2/3", "bytes */100"}) {
    ClientResponse other;
    other.headers.add("Content-Range", bad);
    EXPECT_FALSE(other.content_range()) << bad;
  }
  ClientResponse unknown_total;
  unknown_total.headers.add("Content-Range", "bytes 0-9/*");
  ASSERT_TRUE(unknown_total.content_range());
  EXPECT_FALSE(unknown_total.content_range()->total);
}

}  // namespace
}  // namespace common::http
