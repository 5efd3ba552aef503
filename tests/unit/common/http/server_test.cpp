#include "common/http/server.hpp"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <spdlog/logger.h>
#include <spdlog/sinks/ostream_sink.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <boost/system/error_code.hpp>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <filesystem>
#include <mutex>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "common/fs/unique_fd.hpp"
#include "server_test_fixture.hpp"

namespace common::http {
namespace {

using namespace std::chrono_literals;
using server_testing::count_lines;
using server_testing::kGet;
using server_testing::kKeepAliveGet;
using server_testing::ok_handler;
using server_testing::ServerTest;
using server_testing::wait_for_flag;

TEST_F(ServerTest, HandlerExceptionIsAnswered500AndObserved) {
  start([](Request&) -> boost::asio::awaitable<Response> {
    throw std::runtime_error("boom");
    co_return Response(200);
  });
  run();
  // Keep-alive was asked for: the 500 must close the connection anyway.
  const auto answer = exchange(kKeepAliveGet);
  EXPECT_TRUE(answer.starts_with("HTTP/1.1 500 ")) << answer;
  EXPECT_NE(answer.find("Connection: close"), std::string::npos) << answer;
  const auto seen = exchanges();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].status, 500);
  EXPECT_NE(seen[0].diagnostic.find("boom"), std::string::npos) << seen[0].diagnostic;
  EXPECT_EQ(count_lines(log(), "boom"), 1u) << log();
}

TEST_F(ServerTest, NonStandardExceptionIsAnswered500) {
  start([](Request&) -> boost::asio::awaitable<Response> {
    throw 42;
    co_return Response(200);
  });
  run();
  EXPECT_TRUE(exchange(kGet).starts_with("HTTP/1.1 500 "));
  // The server still serves after the exception.
  EXPECT_TRUE(exchange(kGet).starts_with("HTTP/1.1 500 "));
  EXPECT_EQ(exchanges().size(), 2u);
}

TEST_F(ServerTest, UnknownMethodIsAnswered501WithoutTheHandler) {
  std::atomic<int> calls = 0;
  start(ok_handler(&calls));
  run();
  for (std::string_view method : {"FOO", "TRACE", "CONNECT"}) {
    const auto answer =
        exchange(std::string(method) + " / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    EXPECT_TRUE(answer.starts_with("HTTP/1.1 501 ")) << method << ": " << answer;
  }
  EXPECT_EQ(calls, 0);
  EXPECT_TRUE(exchange(kGet).starts_with("HTTP/1.1 200 "));
}

TEST_F(ServerTest, ALargeBodyTheHandlerRefusedIsNotWaitedFor) {
  start([](Request&) -> boost::asio::awaitable<Response> { co_return Response(413); });
  run();
  auto client = connect();
  // Announces 9 MiB and sends none of it, as a client holding its body back until it sees
  // the answer; the answer must come at once, not after the I/O timeout.
  const std::string head = "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 9437184\r\n\r\n";
  const auto began = std::chrono::steady_clock::now();
  ASSERT_EQ(static_cast<ssize_t>(head.size()),
            ::send(client.get(), head.data(), head.size(), MSG_NOSIGNAL));
  char buffer[512];
  const auto got = ::recv(client.get(), buffer, sizeof buffer, 0);
  ASSERT_GT(got, 0);
  EXPECT_TRUE(std::string_view(buffer, got).starts_with("HTTP/1.1 413 "));
  EXPECT_LT(std::chrono::steady_clock::now() - began, 2s);
}

TEST_F(ServerTest, ConnectionLimitFollowsTheFdLimit) {
  rlimit limit{};
  ASSERT_EQ(0, ::getrlimit(RLIMIT_NOFILE, &limit));
  start(ok_handler(), ServerConfig{.max_connections = limit.rlim_cur + 1});
  EXPECT_EQ(count_lines(log(), "connection limit lowered"), 1u) << log();
}

// Open descriptors of this process.
rlim_t open_fds() {
  const auto entries = std::distance(std::filesystem::directory_iterator("/proc/self/fd"),
                                     std::filesystem::directory_iterator{});
  return static_cast<rlim_t>(entries - 1);  // the iterator's own descriptor
}

TEST_F(ServerTest, AcceptBacksOffWhileOutOfDescriptors) {
  // UBSan checks a dynamic type it has not seen yet by probing memory through a pipe, which
  // fails while no descriptor is free and then reads as a false "invalid vptr" (CI saw it on
  // a connection accepted into the last free descriptor, and on the I/O thread's start). So a
  // first server serves one request and stops, putting those types in UBSan's cache, and the
  // error path runs once.
  start(ok_handler());
  run();
  ASSERT_TRUE(exchange(kGet).starts_with("HTTP/1.1 200 "));
  server_->stop();
  thread_.join();
  const boost::system::error_code emfile(EMFILE, boost::system::system_category());
  (void)(emfile == boost::system::errc::too_many_files_open_in_system);
  logger_->warn("warm-up: {}", emfile.message());

  // Clients wait in the backlog before the server runs; then the process may open no more
  // descriptors, so every accept fails until the limit is restored.
  start(ok_handler());
  std::vector<fs::UniqueFd> clients;
  for (int i = 0; i < 6; ++i) clients.push_back(connect());
  rlimit saved{};
  ASSERT_EQ(0, ::getrlimit(RLIMIT_NOFILE, &saved));
  rlimit lowered = saved;
  lowered.rlim_cur = open_fds() + 4;
  ASSERT_EQ(0, ::setrlimit(RLIMIT_NOFILE, &lowered));
  // The limit bounds descriptor numbers, not their count: fill every free number below it.
  std::vector<fs::UniqueFd> fillers;
  for (int fd = ::dup(clients.front().get()); fd >= 0; fd = ::dup(clients.front().get()))
    fillers.emplace_back(fd);
  ASSERT_EQ(errno, EMFILE);
  run();
  std::this_thread::sleep_for(1s);
  fillers.clear();
  ASSERT_EQ(0, ::setrlimit(RLIMIT_NOFILE, &saved));
  // A spinning accept logs a failure per attempt: hundreds of thousands a second.
  EXPECT_EQ(count_lines(log(), "accept failed"), 1u) << log().substr(0, 2000);
  // Once descriptors are free again (the back-off is at most 1 s), every client is served.
  for (auto& client : clients) EXPECT_TRUE(exchange(client, kGet).starts_with("HTTP/1.1 200 "));
  EXPECT_EQ(count_lines(log(), "accepting again"), 1u) << log();
}

// What a parked handler saw: how its wait ended and when.
struct Parked {
  std::atomic<bool> parked = false;
  std::atomic<bool> done = false;
  std::atomic<bool> deadline_came = false;
  std::atomic<CancelReason> reason = CancelReason::kNone;
  std::atomic<std::chrono::steady_clock::rep> returned_at = 0;
};

// A long-poll: waits up to `wait` on the request's context, then answers 200 or 503.
Handler parking_handler(Parked& parked, std::chrono::seconds wait) {
  return [&parked, wait](Request& request) -> boost::asio::awaitable<Response> {
    parked.parked = true;
    const bool came = co_await request.context->wait_for(wait);
    parked.deadline_came = came;
    parked.reason = request.context->cancel_reason();
    parked.returned_at = std::chrono::steady_clock::now().time_since_epoch().count();
    parked.done = true;
    co_return Response(came ? 200 : 503);
  };
}

// A long-poll woken from outside: the handler publishes its Wakeup in `slot`, then waits up
// to `wait` on it and answers 200 when woken, 204 at the deadline, 503 when cancelled.
Handler waking_handler(std::shared_ptr<Wakeup>& slot, std::mutex& slot_mutex,
                       std::chrono::milliseconds wait, bool fire_first = false) {
  return
      [&slot, &slot_mutex, wait, fire_first](Request& request) -> boost::asio::awaitable<Response> {
        auto wakeup = Wakeup::create();
        if (fire_first) wakeup->fire();
        {
          std::lock_guard lock(slot_mutex);
          slot = wakeup;
        }
        const auto result = co_await request.context->wait_until(
            request.context->clock().steady_now() + wait, wakeup.get());
        co_return Response(result == WaitResult::kWoken      ? 200
                           : result == WaitResult::kDeadline ? 204
                                                             : 503);
      };
}

TEST_F(ServerTest, AWakeupFromAnotherThreadEndsTheWaitAtOnce) {
  std::shared_ptr<Wakeup> slot;
  std::mutex slot_mutex;
  start(waking_handler(slot, slot_mutex, 30s));
  run();
  auto client = connect_and_send(kKeepAliveGet);
  std::shared_ptr<Wakeup> wakeup;
  for (int i = 0; i < 5000 && !wakeup; ++i) {
    std::this_thread::sleep_for(1ms);
    std::lock_guard lock(slot_mutex);
    wakeup = slot;
  }
  ASSERT_TRUE(wakeup);
  std::this_thread::sleep_for(50ms);  // the handler is in its wait
  const auto fired = std::chrono::steady_clock::now();
  std::thread([wakeup] { wakeup->fire(); }).join();
  char buffer[512];
  const auto got = ::recv(client.get(), buffer, sizeof buffer, 0);
  ASSERT_GT(got, 0);
  EXPECT_TRUE(std::string_view(buffer, got).starts_with("HTTP/1.1 200 "));
  EXPECT_LT(std::chrono::steady_clock::now() - fired, 1s);
}

TEST_F(ServerTest, AWakeupFiredBeforeTheWaitIsNotLost) {
  std::shared_ptr<Wakeup> slot;
  std::mutex slot_mutex;
  start(waking_handler(slot, slot_mutex, 30s, /*fire_first=*/true));
  run();
  const auto began = std::chrono::steady_clock::now();
  EXPECT_TRUE(exchange(kGet).starts_with("HTTP/1.1 200 "));
  EXPECT_LT(std::chrono::steady_clock::now() - began, 1s);
}

TEST_F(ServerTest, AFireAfterTheWaitAndTheConnectionEndedDoesNothing) {
  std::shared_ptr<Wakeup> slot;
  std::mutex slot_mutex;
  start(waking_handler(slot, slot_mutex, 20ms));
  run();
  EXPECT_TRUE(exchange(kGet).starts_with("HTTP/1.1 204 "));  // the deadline; connection closed
  std::this_thread::sleep_for(50ms);
  std::shared_ptr<Wakeup> first;
  {
    std::lock_guard lock(slot_mutex);
    first = slot;
  }
  ASSERT_TRUE(first);
  first->fire();  // no wait is armed; nothing may touch the finished connection
  EXPECT_TRUE(first->fired());
  EXPECT_TRUE(exchange(kGet).starts_with("HTTP/1.1 204 "));
}

TEST_F(ServerTest, ParkedHandlerReturnsWhenItsClientCloses) {
  Parked parked;
  start(parking_handler(parked, 30s));
  run();
  auto client = connect_and_send(kKeepAliveGet);
  ASSERT_TRUE(wait_for_flag(parked.parked));
  std::this_thread::sleep_for(50ms);  // the handler is in its wait
  const auto closed = std::chrono::steady_clock::now();
  client = fs::UniqueFd();
  ASSERT_TRUE(wait_for_flag(parked.done, 2000ms));
  const auto took =
      std::chrono::steady_clock::duration(parked.returned_at.load()) - closed.time_since_epoch();
  EXPECT_LT(took, 100ms);
  EXPECT_FALSE(parked.deadline_came);
  EXPECT_EQ(parked.reason, CancelReason::kClientGone);
}

TEST_F(ServerTest, ParkedHandlerKeepsWaitingWhileTheClientSendsTheNextRequest) {
  Parked parked;
  start(parking_handler(parked, 1s));
  run();
  auto client = connect();
  // Two pipelined requests: the second is bytes on the socket while the first is parked.
  const std::string two = std::string(kKeepAliveGet) + std::string(kGet);
  const auto answer = exchange(client, two);
  EXPECT_TRUE(parked.deadline_came);
  EXPECT_EQ(count_lines(answer, "HTTP/1.1 200 "), 2u) << answer;
}

TEST_F(ServerTest, StopEndsAParkedHandlerAtOnce) {
  Parked parked;
  start(parking_handler(parked, 60s), ServerConfig{.drain_timeout = std::chrono::seconds(30)});
  run();
  auto client = connect_and_send(kKeepAliveGet);
  ASSERT_TRUE(wait_for_flag(parked.parked));
  std::this_thread::sleep_for(50ms);
  const auto stopped = std::chrono::steady_clock::now();
  server_->stop();
  // The handler's answer still reaches the client, with the connection closed after it.
  std::string answer;
  char buffer[4096];
  for (ssize_t n; (n = ::recv(client.get(), buffer, sizeof buffer, 0)) > 0;)
    answer.append(buffer, n);
  EXPECT_LT(std::chrono::steady_clock::now() - stopped, 100ms);
  EXPECT_TRUE(answer.starts_with("HTTP/1.1 503 ")) << answer;
  EXPECT_EQ(parked.reason, CancelReason::kServerStopping);
  client = fs::UniqueFd();  // ends the server's lingering close
  thread_.join();
  EXPECT_LT(std::chrono::steady_clock::now() - stopped, 1s);
}

TEST_F(ServerTest, WaitReturnsTrueAtItsDeadlineAndTheClockIsTheInjectedOne) {
  clock_.advance(1h);
  std::atomic<std::int64_t> seen_hours = 0;
  start([&seen_hours](Request& request) -> boost::asio::awaitable<Response> {
    seen_hours = std::chrono::duration_cast<std::chrono::hours>(
                     request.context->clock().steady_now().time_since_epoch())
                     .count();
    const bool came = co_await request.context->wait_for(50ms);
    co_return Response(came ? 200 : 503);
  });
  run();
  EXPECT_TRUE(exchange(kGet).starts_with("HTTP/1.1 200 "));
  EXPECT_EQ(seen_hours, 1);
}

TEST_F(ServerTest, StalledBodyTimesOutAfterTheIoTimeout) {
  std::atomic<bool> timed_out = false;
  std::atomic<bool> done = false;
  start(
      [&timed_out, &done](Request& request) -> boost::asio::awaitable<Response> {
        auto body = co_await read_body(*request.body, 1024);
        timed_out = !body && body.error().code() == ErrorCode::kTimeout;
        done = true;
        co_return Response(408);
      },
      ServerConfig{.io_timeout = std::chrono::seconds(1)});
  run();
  const auto started = std::chrono::steady_clock::now();
  // Ten bytes announced, two sent, then silence.
  exchange(connect(), "PUT / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nab");
  const auto took = std::chrono::steady_clock::now() - started;
  ASSERT_TRUE(wait_for_flag(done, 2000ms));
  EXPECT_TRUE(timed_out);
  EXPECT_GE(took, 900ms);
  EXPECT_LT(took, 3s);
}

TEST_F(ServerTest, IdleKeepAliveConnectionClosesAfterTheIdleTimeout) {
  start(ok_handler(), ServerConfig{.idle_timeout = std::chrono::seconds(1)});
  run();
  const auto started = std::chrono::steady_clock::now();
  const auto answer = exchange(connect(), kKeepAliveGet);
  const auto took = std::chrono::steady_clock::now() - started;
  EXPECT_TRUE(answer.starts_with("HTTP/1.1 200 ")) << answer;
  EXPECT_GE(took, 900ms);
  EXPECT_LT(took, 3s);
}

}  // namespace
}  // namespace common::http
