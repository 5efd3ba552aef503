// StaticHttpServer: Python's http.server serving a directory on a free loopback port, for a
// test that needs an upstream which stores exactly the bytes the test wrote (wrong ones
// included) and ignores Range requests (it always answers 200 with the whole file). Its
// request log (one line per request, with the status) is log(). Killed when destroyed.
// One owner; not thread-safe.
#pragma once

#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>

#include "common/http/http_client.hpp"
#include "testutil/child_process.hpp"

namespace testutil {

class StaticHttpServer {
 public:
  // Serves `root` (created).
  explicit StaticHttpServer(const std::filesystem::path& root) : root_(root) {
    std::filesystem::create_directories(root_);
    auto client = common::http::HttpClient::create({});
    if (!client) throw std::runtime_error("no http client");
    for (int attempt = 0; attempt < 5; ++attempt) {
      port_ = free_loopback_port();
      process_ = std::make_unique<ChildProcess>(
          std::vector<std::string>{"python3", "-u", "-m", "http.server", std::to_string(port_),
                                   "--bind", "127.0.0.1", "--directory", root_.string()},
          log_path());
      for (int i = 0; i < 100; ++i) {
        common::http::ClientRequest request;
        request.url = url() + "/";
        if (auto response = (*client)->request(request); response && response->status == 200) {
          return;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
      }
      process_.reset();
    }
    throw std::runtime_error("python3 -m http.server did not start");
  }

  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  // Writes `content` at `path` under the root (e.g. "v2/repo/blobs/sha256:...").
  void put(const std::string& path, const std::string& content) const {
    const auto file = root_ / path;
    std::filesystem::create_directories(file.parent_path());
    std::ofstream(file, std::ios::binary) << content;
  }
  std::string log() const {
    std::ifstream in(log_path());
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }

 private:
  std::string log_path() const { return (root_.parent_path() / "static-http.log").string(); }
  std::filesystem::path root_;
  std::uint16_t port_ = 0;
  std::unique_ptr<ChildProcess> process_;
};

}  // namespace testutil
