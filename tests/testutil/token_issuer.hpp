// TokenIssuer: tests/testutil/token_issuer.py (a registry token service) on a free loopback
// port, with a fresh RSA key and self-signed certificate made by the openssl command line;
// registry_auth() is the docker-registry `auth:` section that trusts it. It grants tokens
// to one user over HTTP basic and answers 401 to anyone else; its log (one line per token
// request) is log(). Killed when destroyed. One owner; not thread-safe.
#pragma once

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>

#include "common/http/http_client.hpp"
#include "testutil/child_process.hpp"

#ifndef TESTUTIL_DIR
#error "TESTUTIL_DIR must name tests/testutil (where token_issuer.py lives)"
#endif

namespace testutil {

class TokenIssuer {
 public:
  static constexpr const char* kService = "test-registry";
  static constexpr const char* kIssuer = "test-issuer";

  TokenIssuer(const std::filesystem::path& dir, const std::string& user,
              const std::string& password)
      : dir_(dir) {
    std::filesystem::create_directories(dir_);
    const std::string make_cert = "openssl req -x509 -newkey rsa:2048 -nodes -keyout '" +
                                  key_path() + "' -out '" + cert_path() +
                                  "' -days 2 -subj /CN=issuer 2>/dev/null";
    if (std::system(make_cert.c_str()) != 0) throw std::runtime_error("openssl req failed");
    auto client = common::http::HttpClient::create({});
    if (!client) throw std::runtime_error("no http client");
    for (int attempt = 0; attempt < 5; ++attempt) {
      port_ = free_loopback_port();
      process_ = std::make_unique<ChildProcess>(
          std::vector<std::string>{"python3", "-u", std::string(TESTUTIL_DIR) + "/token_issuer.py",
                                   "--port", std::to_string(port_), "--key", key_path(), "--cert",
                                   cert_path(), "--issuer", kIssuer, "--service", kService,
                                   "--user", user, "--password", password},
          (dir_ / "issuer.log").string());
      for (int i = 0; i < 100; ++i) {
        common::http::ClientRequest request;
        request.url = realm();
        if (auto response = (*client)->request(request); response && response->status == 401) {
          return;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
      }
      process_.reset();
    }
    throw std::runtime_error("token_issuer.py did not start");
  }

  std::string realm() const { return "http://127.0.0.1:" + std::to_string(port_) + "/token"; }
  std::string registry_auth() const {
    return "auth:\n  token:\n    realm: " + realm() + "\n    service: " + kService +
           "\n    issuer: " + kIssuer + "\n    rootcertbundle: " + cert_path() + "\n";
  }
  std::string log() const {
    std::ifstream in(dir_ / "issuer.log");
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }

 private:
  std::string key_path() const { return (dir_ / "issuer.key").string(); }
  std::string cert_path() const { return (dir_ / "issuer.crt").string(); }
  std::filesystem::path dir_;
  std::uint16_t port_ = 0;
  std::unique_ptr<ChildProcess> process_;
};

}  // namespace testutil
