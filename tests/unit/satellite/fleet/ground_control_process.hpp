// GroundControlProcess: the real `ground-control serve` (GROUND_CONTROL_BIN) on loopback
// ports with a temp data dir and SQLite, for the satellite's fleet tests, plus an admin
// session on its management API (over HttpClient, verifying its CA) to create satellites,
// issue tokens, approve requests, change groups and revoke. Killed when destroyed.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <string>
#include <thread>

#include "common/http/http_client.hpp"
#include "testutil/child_process.hpp"
#include "testutil/temp_dir.hpp"

namespace satellite::fleet::testing {

class GroundControlProcess {
 public:
  GroundControlProcess() {
    const auto data = dir_.str() + "/gc";
    const auto log = dir_.str() + "/gc.log";
    process_.emplace(std::vector<std::string>{GROUND_CONTROL_BIN, "serve", "--data-dir", data,
                                              "--management-listen", "127.0.0.1:0",
                                              "--satellite-listen", "127.0.0.1:0"},
                     log);
    for (auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
         std::chrono::steady_clock::now() < deadline;
         std::this_thread::sleep_for(std::chrono::milliseconds(50))) {
      const auto text = slurp(log);
      if (text.find("ca certificate ") == std::string::npos) continue;
      management_ = "https://" + line_after(text, "management listening on ");
      satellite_ = "https://" + line_after(text, "satellite listening on ");
      password_ = line_after(text, "admin password (shown once): ");
      const auto ca = line_after(text, "ca certificate ");
      ca_file_ = ca.substr(0, ca.find(' '));
      fingerprint_ = ca.substr(ca.find("(") + 1, ca.size() - ca.find("(") - 2);
      break;
    }
    if (ca_file_.empty()) throw std::runtime_error("ground-control did not start: " + slurp(log));
    common::http::ClientOptions options;
    options.ca_file = ca_file_;
    options.request_timeout = std::chrono::seconds(30);
    admin_ = std::move(common::http::HttpClient::create(options).value());
    const auto login = call("POST", "/api/v1/login",
                            nlohmann::json{{"username", "admin"}, {"password", password_}});
    token_ = login.at("token").get<std::string>();
  }

  const std::string& satellite_url() const { return satellite_; }
  const std::string& ca_file() const { return ca_file_; }
  const std::string& ca_fingerprint() const { return fingerprint_; }  // "sha256:<hex>"
  const testutil::TempDir& dir() const { return dir_; }

  // A management call as admin; the answer's JSON (null for none). Throws on a non-2xx.
  nlohmann::json call(const std::string& method, const std::string& path,
                      const std::optional<nlohmann::json>& body = std::nullopt,
                      const std::string& content_type = "application/json") {
    common::http::ClientRequest request{.method = method, .url = management_ + path};
    if (!token_.empty()) request.headers.emplace_back("Authorization", "Bearer " + token_);
    if (body) {
      request.body = body->dump();
      request.headers.emplace_back("Content-Type", content_type);
    }
    auto response = admin_->request(request);
    if (!response)
      throw std::runtime_error(method + " " + path + ": " + response.error().message());
    if (response->status / 100 != 2)
      throw std::runtime_error(method + " " + path + ": " + std::to_string(response->status) + " " +
                               response->body);
    return response->body.empty() ? nlohmann::json() : nlohmann::json::parse(response->body);
  }

  // Creates satellite `name` (with `labels`); its one-time enrollment token.
  std::string create_satellite(const std::string& name, const nlohmann::json& labels = {}) {
    auto created = call(
        "POST", "/api/v1/satellites",
        nlohmann::json{
            {"metadata",
             {{"name", name}, {"labels", labels.is_null() ? nlohmann::json::object() : labels}}}});
    return created.at("enrollment").at("token").get<std::string>();
  }

 private:
  static std::string slurp(const std::string& path) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }
  static std::string line_after(const std::string& text, const std::string& key) {
    const auto at = text.find(key);
    if (at == std::string::npos) return {};
    const auto begin = at + key.size();
    return text.substr(begin, text.find('\n', begin) - begin);
  }

  testutil::TempDir dir_;
  std::optional<testutil::ChildProcess> process_;
  std::string management_, satellite_, password_, ca_file_, fingerprint_, token_;
  std::unique_ptr<common::http::HttpClient> admin_;
};

}  // namespace satellite::fleet::testing
