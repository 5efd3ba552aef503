// DockerRegistry: Debian's `docker-registry` (distribution 2.8) started for a test on a free
// loopback port in its own directory (config as tests/testutil/lib.sh writes it), optionally
// behind htpasswd basic auth; its access log (one line per request, with the status) is the
// file log_path(); restart() can put it behind the token flow. Seeding goes through HttpClient:
// blobs by monolithic POST+PUT, manifests by PUT. Killed with its process when destroyed. One
// owner; not thread-safe.
#pragma once

#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>

#include "common/crypto/base64.hpp"
#include "common/crypto/hasher.hpp"
#include "common/http/http_client.hpp"
#include "testutil/child_process.hpp"

namespace testutil {

class DockerRegistry {
 public:
  struct Credentials {
    std::string username, password;
  };

  // Starts it under `dir` (created); with `auth`, an htpasswd file for that user.
  explicit DockerRegistry(const std::filesystem::path& dir,
                          std::optional<Credentials> auth = std::nullopt)
      : dir_(dir), auth_(std::move(auth)) {
    std::filesystem::create_directories(dir_);
    auto client = common::http::HttpClient::create({});
    if (!client) throw std::runtime_error("no http client");
    client_ = std::move(*client);
    if (auth_) {
      const auto htpasswd = (dir_ / "htpasswd").string();
      const std::string command =
          "htpasswd -Bbn '" + auth_->username + "' '" + auth_->password + "' > '" + htpasswd + "'";
      if (std::system(command.c_str()) != 0) throw std::runtime_error("htpasswd failed");
      auth_config_ = "auth:\n  htpasswd:\n    realm: test\n    path: " + htpasswd + "\n";
    }
    for (int attempt = 0; attempt < 5; ++attempt) {
      port_ = free_loopback_port();
      if (start()) return;
    }
    throw std::runtime_error("docker-registry did not start");
  }

  // Stops it and starts it again on the same port and data with `auth_config` (a YAML
  // `auth:` section, e.g. TokenIssuer::registry_auth()); seeding then needs that auth.
  void restart(std::string auth_config) {
    process_.reset();
    auth_config_ = std::move(auth_config);
    auth_.reset();
    if (!start()) throw std::runtime_error("docker-registry did not restart");
  }

  // Whether manifests may be deleted (storage.delete.enabled), from the next restart() on;
  // true by default.
  void set_delete_enabled(bool enabled) { delete_enabled_ = enabled; }

  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  std::filesystem::path log_path() const { return dir_ / "registry.log"; }
  std::string log() const {
    std::ifstream in(log_path());
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }

  // Uploads `content` to `repository` (monolithic POST then PUT); returns its digest.
  common::Digest push_blob(const std::string& repository, const std::string& content) {
    const auto digest = common::crypto::digest_of(content);
    auto started = send("POST", url() + "/v2/" + repository + "/blobs/uploads/", std::nullopt);
    const auto location = started.headers.get("Location");
    if (started.status != 202 || !location) throw std::runtime_error("upload not started");
    std::string target(*location);
    if (target.starts_with("/")) target = url() + target;
    target += (target.find('?') == std::string::npos ? "?" : "&");
    target += "digest=" + digest.str();
    auto put = send("PUT", target, content);
    if (put.status != 201) throw std::runtime_error("blob upload failed: " + put.body);
    return digest;
  }
  // PUTs a manifest under `reference` (a tag or its digest).
  void push_manifest(const std::string& repository, const std::string& reference,
                     const std::string& content, const std::string& media_type) {
    auto put =
        send("PUT", url() + "/v2/" + repository + "/manifests/" + reference, content, media_type);
    if (put.status != 201) throw std::runtime_error("manifest push failed: " + put.body);
  }

 private:
  common::http::ClientResponse send(const std::string& method, const std::string& url,
                                    std::optional<std::string> body,
                                    const std::string& content_type = "application/octet-stream") {
    common::http::ClientRequest request;
    request.method = method;
    request.url = url;
    request.body = std::move(body);
    request.headers.emplace_back("Content-Type", content_type);
    if (auth_) {
      request.headers.emplace_back(
          "Authorization",
          "Basic " + common::crypto::base64_encode(auth_->username + ":" + auth_->password));
    }
    auto response = client_->request(request);
    if (!response) throw std::runtime_error(method + " " + url + ": " + response.error().message());
    return std::move(*response);
  }
  bool start() {
    std::ofstream(dir_ / "config.yml")
        << "version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: "
        << (dir_ / "data").string()
        << "\n  delete:\n    enabled: " << (delete_enabled_ ? "true" : "false") << "\n"
        << auth_config_ << "http:\n  addr: 127.0.0.1:" << port_ << "\n";
    process_ = std::make_unique<ChildProcess>(
        std::vector<std::string>{"docker-registry", "serve", (dir_ / "config.yml").string()},
        log_path().string());
    if (wait_ready()) return true;
    process_.reset();
    return false;
  }
  bool wait_ready() {
    for (int i = 0; i < 100; ++i) {
      common::http::ClientRequest request;
      request.url = url() + "/v2/";
      auto response = client_->request(request);
      if (response && (response->status == 200 || response->status == 401)) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
  }

  std::filesystem::path dir_;
  std::optional<Credentials> auth_;
  std::string auth_config_;
  bool delete_enabled_ = true;
  std::unique_ptr<common::http::HttpClient> client_;
  std::uint16_t port_ = 0;
  std::unique_ptr<ChildProcess> process_;
};

}  // namespace testutil
