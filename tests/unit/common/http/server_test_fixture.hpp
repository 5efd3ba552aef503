// ServerTest: the fixture of the HTTP server's unit tests (server_test.cpp,
// server_stream_test.cpp): a Server on a free loopback port with one I/O thread, raw
// client sockets, what the Observer saw and what was logged. In a named namespace, so
// that every test file that uses it sees one fixture class.
#pragma once

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <spdlog/logger.h>
#include <spdlog/sinks/ostream_sink.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "common/fs/unique_fd.hpp"
#include "common/http/server.hpp"
#include "testutil/fake_clock.hpp"

namespace common::http::server_testing {

using namespace std::chrono_literals;

// Counts lines containing `text` in what was logged so far.
inline std::size_t count_lines(const std::string& log, std::string_view text) {
  std::size_t count = 0;
  for (auto at = log.find(text); at != std::string::npos; at = log.find(text, at + 1)) ++count;
  return count;
}

// A Server on a free loopback port with one I/O thread, a handler and an observer chosen by
// the test, and a log the test can read.
class ServerTest : public ::testing::Test {
 protected:
  void start(Handler handler, ServerConfig config = {}) {
    config.threads = 1;
    auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(log_);
    logger_ = std::make_shared<spdlog::logger>("server_test", sink);
    auto server = Server::create(
        std::move(config), std::move(handler),
        [this](const Exchange& e) {
          std::lock_guard lock(mutex_);
          exchanges_.push_back({e.status, std::string(e.diagnostic)});
        },
        logger_, clock_);
    ASSERT_TRUE(server) << server.error().message();
    server_ = std::move(*server);
    port_ = static_cast<std::uint16_t>(
        std::stoi(server_->local_address().substr(server_->local_address().rfind(':') + 1)));
  }
  void run() {
    thread_ = std::thread([this] { server_->run(); });
  }
  void TearDown() override {
    if (server_) server_->stop();
    if (thread_.joinable()) thread_.join();
  }

  // A connected client socket with 5 s timeouts.
  fs::UniqueFd connect() const {
    fs::UniqueFd fd(::socket(AF_INET, SOCK_STREAM, 0));
    EXPECT_TRUE(fd);
    timeval timeout{5, 0};
    ::setsockopt(fd.get(), SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port_);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(0, ::connect(fd.get(), reinterpret_cast<sockaddr*>(&address), sizeof address));
    return fd;
  }
  // A connected client that has sent `request` and reads nothing yet.
  fs::UniqueFd connect_and_send(std::string_view request) const {
    auto fd = connect();
    EXPECT_EQ(static_cast<ssize_t>(request.size()),
              ::send(fd.get(), request.data(), request.size(), MSG_NOSIGNAL));
    return fd;
  }
  // Sends `request` on `fd` and reads until EOF (or the 5 s timeout).
  static std::string exchange(const fs::UniqueFd& fd, std::string_view request) {
    EXPECT_EQ(static_cast<ssize_t>(request.size()),
              ::send(fd.get(), request.data(), request.size(), MSG_NOSIGNAL));
    std::string answer;
    char buffer[4096];
    for (ssize_t n; (n = ::recv(fd.get(), buffer, sizeof buffer, 0)) > 0;) answer.append(buffer, n);
    return answer;
  }
  std::string exchange(std::string_view request) const { return exchange(connect(), request); }

  struct Seen {
    int status;
    std::string diagnostic;
  };
  std::vector<Seen> exchanges() {
    std::lock_guard lock(mutex_);
    return exchanges_;
  }
  std::string log() const { return log_.str(); }

  testutil::FakeClock clock_;
  std::ostringstream log_;  // written under the sink's own mutex
  log::Logger logger_;
  std::unique_ptr<Server> server_;
  std::thread thread_;
  std::uint16_t port_ = 0;
  std::mutex mutex_;  // guards exchanges_
  std::vector<Seen> exchanges_;
};

inline constexpr std::string_view kGet = "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
inline constexpr std::string_view kKeepAliveGet = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";

inline Handler ok_handler(std::atomic<int>* calls = nullptr) {
  return [calls](Request&) -> boost::asio::awaitable<Response> {
    if (calls) ++*calls;
    Response response(200);
    response.body = std::string("ok");
    co_return response;
  };
}

// Waits (at most `limit`) until `flag` is true.
inline bool wait_for_flag(const std::atomic<bool>& flag, std::chrono::milliseconds limit = 5000ms) {
  const auto until = std::chrono::steady_clock::now() + limit;
  while (!flag && std::chrono::steady_clock::now() < until) std::this_thread::sleep_for(1ms);
  return flag;
}

}  // namespace common::http::server_testing
