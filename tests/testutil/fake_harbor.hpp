// FakeHarbor: tests/fakes/harbor/fake_harbor.py (a test double of Harbor's /api/v2.0,
// checked against Harbor's swagger) on a free loopback port picked by the fake itself
// (--port 0 --port-file), with one admin user. Its control endpoints are here as calls:
// seed() data, calls() recorded, violations() of the swagger, fail() to inject answers.
// Killed when destroyed. One owner; not thread-safe.
#pragma once

#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>

#include "common/crypto/base64.hpp"
#include "common/http/http_client.hpp"
#include "testutil/child_process.hpp"

#ifndef FAKE_HARBOR_DIR
#error "FAKE_HARBOR_DIR must name tests/fakes/harbor (where fake_harbor.py lives)"
#endif

namespace testutil {

class FakeHarbor {
 public:
  static constexpr const char* kAdmin = "admin";
  static constexpr const char* kPassword = "Harbor12345";

  explicit FakeHarbor(const std::filesystem::path& dir) : dir_(dir) {
    std::filesystem::create_directories(dir_);
    auto client = common::http::HttpClient::create({});
    if (!client) throw std::runtime_error("no http client");
    client_ = std::move(*client);
    const auto port_file = dir_ / "port";
    std::filesystem::remove(port_file);
    process_ = std::make_unique<ChildProcess>(
        std::vector<std::string>{"python3", "-u", std::string(FAKE_HARBOR_DIR) + "/fake_harbor.py",
                                 "--port", "0", "--port-file", port_file.string(), "--admin",
                                 std::string(kAdmin) + ":" + kPassword},
        (dir_ / "fake_harbor.log").string());
    for (int i = 0; i < 300 && port_ == 0; ++i) {
      std::ifstream in(port_file);
      if (!(in >> port_)) {
        port_ = 0;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
      }
    }
    if (port_ == 0) throw std::runtime_error("fake_harbor.py did not start");
  }

  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

  // POST /_fake/seed (the format is in tests/fakes/harbor/seed.py); answers the new ids.
  nlohmann::json seed(const nlohmann::json& data) { return control("POST", "/_fake/seed", data); }
  // Every Harbor call so far: method, path, query, body, status, caller, robot_id, ...
  nlohmann::json calls() { return control("GET", "/_fake/calls"); }
  void clear_calls() { control("DELETE", "/_fake/calls"); }
  // Every breach of Harbor's swagger so far (requests and answers).
  nlohmann::json violations() { return control("GET", "/_fake/violations"); }
  // The next `times` calls of `path` (and `method` when not empty) answer `status`, with
  // `body` as raw text when given, else Harbor's error envelope.
  void fail(const std::string& path, int status, const std::string& method = "",
            std::optional<std::string> body = std::nullopt, int times = 1) {
    nlohmann::json rule = {{"path", path}, {"status", status}, {"times", times}};
    if (!method.empty()) rule["method"] = method;
    if (body) rule["body"] = *body;
    control("POST", "/_fake/fail", rule);
  }
  // The HTTP status of GET `path` (under /api/v2.0) with basic credentials: tells whether
  // a robot's secret authenticates.
  int status_as(const std::string& user, const std::string& password, const std::string& path) {
    common::http::ClientRequest request;
    request.url = url() + "/api/v2.0" + path;
    request.headers.emplace_back("Authorization",
                                 "Basic " + common::crypto::base64_encode(user + ":" + password));
    auto response = client_->request(request);
    if (!response) throw std::runtime_error(response.error().message());
    return response->status;
  }

 private:
  nlohmann::json control(const std::string& method, const std::string& path,
                         const std::optional<nlohmann::json>& body = std::nullopt) {
    common::http::ClientRequest request;
    request.method = method;
    request.url = url() + path;
    if (body) {
      request.body = body->dump();
      request.headers.emplace_back("Content-Type", "application/json");
    }
    auto response = client_->request(request);
    if (!response) throw std::runtime_error(path + ": " + response.error().message());
    if (response->status != 200) throw std::runtime_error(path + ": " + response->body);
    return nlohmann::json::parse(response->body);
  }
  std::filesystem::path dir_;
  std::unique_ptr<common::http::HttpClient> client_;
  std::unique_ptr<ChildProcess> process_;
  std::uint16_t port_ = 0;
};

}  // namespace testutil
