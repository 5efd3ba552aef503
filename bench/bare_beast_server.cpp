// bare_beast_server: the floor our HTTP server is measured against (bench/http_overhead_bench.sh).
// A Boost.Beast coroutine server with the same shape as common::http::Server (one io_context
// per thread, each accepting on a dup of one listening socket, one coroutine per keep-alive
// connection, TCP_NODELAY) and none of its work: no timeouts, no limits, no routing, no
// access log. It answers GET PATH with BODY_FILE's bytes (read once into memory) and
// Content-Type TYPE, and 404 to anything else.
//
// Usage: bare_beast_server PATH BODY_FILE TYPE [THREADS]   (prints "listening on HOST:PORT")
#include <unistd.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <cstdio>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
constexpr auto kUseTuple = asio::as_tuple(asio::use_awaitable);

struct Content {
  std::string path;
  std::string body;
  std::string type;
};

asio::awaitable<void> session(beast::tcp_stream stream, const Content& content) {
  beast::flat_buffer buffer;
  for (;;) {
    http::request<http::empty_body> request;
    auto [ec, n] = co_await http::async_read(stream, buffer, request, kUseTuple);
    if (ec) break;
    http::response<http::span_body<const char>> response;
    response.version(request.version());
    response.keep_alive(request.keep_alive());
    if (request.target() == content.path) {
      response.result(http::status::ok);
      response.set(http::field::content_type, content.type);
      response.body() = {content.body.data(), content.body.size()};
    } else {
      response.result(http::status::not_found);
    }
    response.prepare_payload();
    auto [wec, w] = co_await http::async_write(stream, response, kUseTuple);
    if (wec || !response.keep_alive()) break;
  }
  boost::system::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
}

asio::awaitable<void> listen(tcp::acceptor& acceptor, const Content& content) {
  for (;;) {
    auto [ec, socket] = co_await acceptor.async_accept(kUseTuple);
    if (ec) continue;
    socket.set_option(tcp::no_delay(true), ec);
    asio::co_spawn(acceptor.get_executor(), session(beast::tcp_stream(std::move(socket)), content),
                   asio::detached);
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: %s PATH BODY_FILE TYPE [THREADS]\n", argv[0]);
    return 2;
  }
  std::ifstream file(argv[2], std::ios::binary);
  if (!file) {
    std::fprintf(stderr, "cannot read %s\n", argv[2]);
    return 1;
  }
  const Content content{argv[1], std::string(std::istreambuf_iterator<char>(file), {}), argv[3]};
  const unsigned threads = argc > 4 ? static_cast<unsigned>(std::stoul(argv[4]))
                                    : std::max(1u, std::thread::hardware_concurrency());

  std::vector<std::unique_ptr<asio::io_context>> contexts;
  std::vector<std::unique_ptr<tcp::acceptor>> acceptors;
  for (unsigned i = 0; i < threads; ++i) contexts.push_back(std::make_unique<asio::io_context>(1));
  auto& first = *contexts[0];
  acceptors.push_back(std::make_unique<tcp::acceptor>(
      first, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)));
  const int listen_fd = acceptors[0]->native_handle();
  for (unsigned i = 1; i < threads; ++i)
    acceptors.push_back(std::make_unique<tcp::acceptor>(*contexts[i], tcp::v4(), ::dup(listen_fd)));
  std::printf("listening on 127.0.0.1:%u\n", acceptors[0]->local_endpoint().port());
  std::fflush(stdout);
  for (unsigned i = 0; i < threads; ++i)
    asio::co_spawn(*contexts[i], listen(*acceptors[i], content), asio::detached);
  std::vector<std::thread> workers;
  for (unsigned i = 1; i < threads; ++i) workers.emplace_back([&, i] { contexts[i]->run(); });
  first.run();
  for (auto& worker : workers) worker.join();
}
