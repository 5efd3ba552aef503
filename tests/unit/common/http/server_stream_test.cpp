// Stream bodies (Response::body = StreamBody): pieces reach the client as they are made,
// chunked on HTTP/1.1 (the connection then carries the next request), raw until close on
// HTTP/1.0; a producer waiting between pieces ends when its client goes away or the server
// stops.
#include <gtest/gtest.h>
#include <sys/socket.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "common/http/server.hpp"
#include "server_test_fixture.hpp"

namespace common::http {
namespace {

using namespace std::chrono_literals;
using server_testing::kGet;
using server_testing::kKeepAliveGet;
using server_testing::ServerTest;
using server_testing::wait_for_flag;

// The pieces a stream handler gives, one per call of `next`, then the end.
Handler pieces_handler(std::vector<std::string> pieces) {
  return [pieces](Request&) -> boost::asio::awaitable<Response> {
    Response response(200);
    auto left = std::make_shared<std::vector<std::string>>(pieces);
    response.body = StreamBody{[left]() -> boost::asio::awaitable<std::string> {
      if (left->empty()) co_return std::string();
      auto piece = std::move(left->front());
      left->erase(left->begin());
      co_return piece;
    }};
    co_return response;
  };
}

// Reads from `fd` until `text` has arrived (or 5 s of silence).
std::string read_until(const fs::UniqueFd& fd, std::string_view text) {
  std::string got;
  char buffer[4096];
  while (got.find(text) == std::string::npos) {
    const auto n = ::recv(fd.get(), buffer, sizeof buffer, 0);
    if (n <= 0) break;
    got.append(buffer, static_cast<std::size_t>(n));
  }
  return got;
}

TEST_F(ServerTest, AStreamIsSentChunkedAndTheConnectionCarriesTheNextRequest) {
  start(pieces_handler({"a", "0123456789abcdef!"}));
  run();
  auto client = connect();
  const std::string two = std::string(kKeepAliveGet) + std::string(kGet);
  const auto answer = exchange(client, two);
  const std::string body = "\r\n\r\n1\r\na\r\n11\r\n0123456789abcdef!\r\n0\r\n\r\n";
  ASSERT_EQ(server_testing::count_lines(answer, "HTTP/1.1 200 "), 2u) << answer;
  EXPECT_EQ(server_testing::count_lines(answer, "Transfer-Encoding: chunked"), 2u) << answer;
  EXPECT_EQ(server_testing::count_lines(answer, body), 2u) << answer;
  EXPECT_EQ(answer.find("Content-Length"), std::string::npos) << answer;
}

TEST_F(ServerTest, AStreamToAnHttp10ClientIsSentAsIsAndEndsWithTheConnection) {
  start(pieces_handler({"first,", "second"}));
  run();
  const auto answer = exchange("GET / HTTP/1.0\r\nHost: x\r\nConnection: keep-alive\r\n\r\n");
  ASSERT_TRUE(answer.starts_with("HTTP/1.0 200 ")) << answer;
  EXPECT_TRUE(answer.ends_with("\r\n\r\nfirst,second")) << answer;
  EXPECT_EQ(answer.find("chunked"), std::string::npos) << answer;
}

TEST_F(ServerTest, AHeadOrANotModifiedStreamSendsNoBody) {
  std::atomic<int> status = 200;
  const Handler pieces = pieces_handler({"never"});
  start([&status, &pieces](Request& request) -> boost::asio::awaitable<Response> {
    auto response = co_await pieces(request);
    response.status = status;
    co_return response;
  });
  run();
  auto head = exchange("HEAD / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  EXPECT_TRUE(head.starts_with("HTTP/1.1 200 ")) << head;
  EXPECT_TRUE(head.ends_with("\r\n\r\n")) << head;
  status = 304;
  auto unchanged = exchange(kGet);
  EXPECT_TRUE(unchanged.starts_with("HTTP/1.1 304 ")) << unchanged;
  EXPECT_TRUE(unchanged.ends_with("\r\n\r\n")) << unchanged;
  EXPECT_EQ(unchanged.find("never"), std::string::npos) << unchanged;
}

// A producer that sends "first", waits on a Wakeup it publishes in `slot` (for at most
// `wait`), then sends "second" when woken and ends; how its wait ended is kept.
struct Waiting {
  std::mutex mutex;
  std::shared_ptr<Wakeup> slot;  // guarded by mutex
  std::atomic<bool> waiting = false;
  std::atomic<bool> ended = false;
  std::atomic<CancelReason> reason = CancelReason::kNone;
};

Handler waiting_stream(Waiting& waiting, std::chrono::seconds wait) {
  return [&waiting, wait](Request& request) -> boost::asio::awaitable<Response> {
    Response response(200);
    auto step = std::make_shared<int>(0);
    RequestContext* context = request.context;
    response.body =
        StreamBody{[&waiting, wait, step, context]() -> boost::asio::awaitable<std::string> {
          switch ((*step)++) {
            case 0:
              co_return std::string("first");
            case 1: {
              auto wakeup = Wakeup::create();
              {
                std::lock_guard lock(waiting.mutex);
                waiting.slot = wakeup;
              }
              waiting.waiting = true;
              const auto result =
                  co_await context->wait_until(context->clock().steady_now() + wait, wakeup.get());
              waiting.reason = context->cancel_reason();
              if (result == WaitResult::kWoken) co_return std::string("second");
              break;
            }
            default:
              break;
          }
          waiting.ended = true;
          co_return std::string();
        }};
    co_return response;
  };
}

TEST_F(ServerTest, APieceReachesTheClientBeforeTheNextIsMade) {
  Waiting waiting;
  start(waiting_stream(waiting, 30s));
  run();
  auto client = connect_and_send(kKeepAliveGet);
  auto got = read_until(client, "5\r\nfirst\r\n");
  ASSERT_NE(got.find("5\r\nfirst\r\n"), std::string::npos) << got;
  ASSERT_TRUE(wait_for_flag(waiting.waiting));
  EXPECT_EQ(got.find("second"), std::string::npos);
  std::shared_ptr<Wakeup> wakeup;
  {
    std::lock_guard lock(waiting.mutex);
    wakeup = waiting.slot;
  }
  wakeup->fire();
  got = read_until(client, "0\r\n\r\n");
  EXPECT_EQ(got, "6\r\nsecond\r\n0\r\n\r\n");
  EXPECT_TRUE(wait_for_flag(waiting.ended));
}

TEST_F(ServerTest, AStreamEndsWhenItsClientGoesAway) {
  Waiting waiting;
  start(waiting_stream(waiting, 30s));
  run();
  auto client = connect_and_send(kKeepAliveGet);
  ASSERT_TRUE(wait_for_flag(waiting.waiting));
  client = fs::UniqueFd();
  ASSERT_TRUE(wait_for_flag(waiting.ended, 2000ms));
  EXPECT_EQ(waiting.reason, CancelReason::kClientGone);
}

TEST_F(ServerTest, StopEndsAStreamWithItsLastChunk) {
  Waiting waiting;
  start(waiting_stream(waiting, 60s), ServerConfig{.drain_timeout = std::chrono::seconds(30)});
  run();
  auto client = connect_and_send(kKeepAliveGet);
  ASSERT_TRUE(wait_for_flag(waiting.waiting));
  const auto stopped = std::chrono::steady_clock::now();
  server_->stop();
  const auto got = read_until(client, "0\r\n\r\n");
  EXPECT_TRUE(got.ends_with("5\r\nfirst\r\n0\r\n\r\n")) << got;
  EXPECT_LT(std::chrono::steady_clock::now() - stopped, 1s);
  EXPECT_EQ(waiting.reason, CancelReason::kServerStopping);
  client = fs::UniqueFd();
  thread_.join();
}

}  // namespace
}  // namespace common::http
