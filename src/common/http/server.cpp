#include "common/http/server.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <list>
#include <mutex>
#include <thread>

#include "common/fs/fd_limit.hpp"
#include "common/http/detail/accept_policy.hpp"
#include "common/http/detail/beast_body_reader.hpp"
#include "common/http/detail/beast_request.hpp"
#include "common/http/detail/connection_context.hpp"
#include "common/http/detail/connection_deadline.hpp"
#include "common/http/detail/request_framing.hpp"
#include "common/http/detail/response_writer.hpp"
#include "common/http/detail/server_streams.hpp"
#include "common/http/detail/tls_context.hpp"

namespace common::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = asio::ip::tcp;
constexpr auto kUseTuple = asio::as_tuple(asio::use_awaitable);

using detail::BeastBodyReader;
using detail::ConnectionContext;
using detail::ConnectionDeadline;
using detail::Parser;
using detail::PlainStream;
using detail::TlsStream;

// The status answering a request header that failed to parse, or nullopt when the client
// went away or stalled and no one would read an answer.
std::optional<int> header_error_status(const boost::system::error_code& ec) {
  if (ec == bhttp::error::header_limit || ec == bhttp::error::buffer_overflow) return 431;
  if (ec == bhttp::error::end_of_stream) return std::nullopt;
  // Every other error of Beast's HTTP category is a malformed or truncated header, invalid
  // framing fields included (Content-Length with Transfer-Encoding, differing or negative
  // lengths, a NUL in a value): the client's error. Socket errors and timeouts are not.
  if (ec.category() == bhttp::make_error_code(bhttp::error::bad_method).category()) return 400;
  return std::nullopt;
}

// The Request a handler sees: views into `message`, which must outlive it; `headers` lends
// its capacity from the previous request on the connection.
Request make_request(const bhttp::request_header<>& message, std::string_view remote,
                     std::vector<Header> headers, RequestContext& context,
                     const PeerIdentity* peer) {
  Request request;
  detail::fill_request(message, std::move(headers), request);
  request.remote_address = remote;
  request.context = &context;
  request.peer = peer;
  return request;
}

// Reads and drops the unread rest of a body the handler left; returns whether the
// connection can carry another request. A client still waiting for "100 Continue" has sent
// none of it, and one whose body read failed (malformed, truncated, stalled) cannot go on.
// A small remainder is skipped to keep the connection; a large one is not worth reading.
template <class Stream>
asio::awaitable<bool> skip_rest(BeastBodyReader<Stream>& body, const Parser& parser,
                                bool keep_alive) {
  if (body.failed() || body.awaiting_continue()) co_return false;
  // A large declared remainder is not waited for either: the client may be holding it back
  // until it sees the answer (a 413 that refused it by its length).
  constexpr std::uint64_t kWorthSkipping = 1024 * 1024;
  if (const auto left = parser.content_length_remaining(); left && *left > kWorthSkipping)
    co_return false;
  std::array<char, 16 * 1024> sink;
  std::size_t skipped = 0;
  while (keep_alive && !parser.is_done() && skipped < kWorthSkipping) {
    auto n = co_await body.read_some(sink);
    if (!n || *n == 0) co_return false;
    skipped += *n;
  }
  co_return keep_alive&& parser.is_done();
}

// What stop() needs to reach on each live connection.
struct Connection {
  std::function<void()> close;
  bool idle = true;
  ConnectionContext* context = nullptr;  // set while the connection serves requests
};

// A TLS stream with the context it was made from, which must outlive the stream's SSL
// object: a reload replaces the server's context, not this one.
struct TlsConnection {
  TlsConnection(tcp::socket socket, std::shared_ptr<asio::ssl::context> tls)
      : context(std::move(tls)), stream(std::move(socket), *context) {}
  std::shared_ptr<asio::ssl::context> context;
  TlsStream stream;
};

// One thread's share of the server: its io_context, listener and live connections.
struct Worker {
  asio::io_context ioc{1};
  std::optional<tcp::acceptor> acceptor;
  asio::steady_timer accept_backoff{ioc};            // accept_loop's wait when out of fds
  std::list<Connection> connections;                 // touched only on this worker's thread
  std::optional<asio::steady_timer> drain_deadline;  // set by stop() while requests run
  std::thread thread;
};

class BeastServer final : public Server {
 public:
  BeastServer(ServerConfig config, Handler handler, Observer observer, log::Logger logger,
              const Clock* clock)
      : config_(std::move(config)),
        handler_(std::move(handler)),
        observer_(std::move(observer)),
        logger_(std::move(logger)),
        clock_(clock ? *clock : system_clock_) {}

  Status init();
  std::string local_address() const override { return address_; }
  void run() override;
  void stop() override;
  Status reload_tls() override;
  TlsHandshakeCounts tls_handshakes() const override {
    return {full_handshakes_.load(std::memory_order_relaxed),
            resumed_handshakes_.load(std::memory_order_relaxed)};
  }

 private:
  void cap_connections();
  asio::awaitable<void> accept_loop(Worker& worker);
  void start_connection(Worker& worker, tcp::socket socket);
  // Coroutine parameters, not lambda captures, own the stream: a lambda's captures die with
  // the lambda object while its coroutine is still running.
  asio::awaitable<void> run_plain(std::shared_ptr<PlainStream> stream, Connection& connection,
                                  std::string remote);
  asio::awaitable<void> run_tls(std::shared_ptr<TlsConnection> tls, Connection& connection,
                                std::string remote);
  asio::awaitable<void> linger(PlainStream& stream);
  template <class Stream>
  asio::awaitable<void> serve_connection(Stream& stream, ConnectionDeadline& deadline,
                                         Connection& connection, std::string remote,
                                         const PeerIdentity* peer);
  template <class Stream>
  asio::awaitable<void> answer_header_error(Stream& stream, ConnectionDeadline& deadline,
                                            std::string_view remote,
                                            const boost::system::error_code& ec);
  asio::awaitable<Response> respond(Request& request, const Parser& parser);
  asio::awaitable<Response> call_handler(Request& request);
  // The shortest limit a connection's deadline enforces.
  std::chrono::steady_clock::duration deadline_granularity() const {
    return std::min<std::chrono::steady_clock::duration>(config_.idle_timeout, config_.io_timeout);
  }
  void begin_stop(Worker& worker);
  std::shared_ptr<asio::ssl::context> current_tls() const {
    std::lock_guard lock(tls_mutex_);
    return tls_;
  }

  ServerConfig config_;
  Handler handler_;
  Observer observer_;
  log::Logger logger_;
  SystemClock system_clock_;  // the clock unless create() was given one
  const Clock& clock_;
  mutable std::mutex tls_mutex_;
  std::shared_ptr<asio::ssl::context> tls_;  // guarded by tls_mutex_; null without TLS
  std::vector<std::unique_ptr<Worker>> workers_;
  std::string address_;
  std::atomic<std::size_t> connection_count_{0};
  std::atomic<bool> stopping_{false};
  std::atomic<std::uint64_t> full_handshakes_{0};
  std::atomic<std::uint64_t> resumed_handshakes_{0};
};

Status BeastServer::init() {
  if (config_.tls) {
    auto tls = detail::make_server_context(*config_.tls, clock_);
    if (!tls) return fail(tls.error());
    tls_ = std::move(*tls);
  }
  cap_connections();
  const unsigned threads =
      config_.threads ? config_.threads : std::max(1u, std::thread::hardware_concurrency());
  boost::system::error_code ec;
  const auto address = asio::ip::make_address(config_.host, ec);
  if (ec) return fail(ErrorCode::kInvalidArgument, "invalid listen address", config_.host);
  // One listening socket shared by every thread (each holds a dup of it): a thread accepts
  // when it is free, so connections spread by load rather than by a hash of their ports,
  // and no other process can join the port as SO_REUSEPORT would allow.
  const tcp::endpoint endpoint(address, config_.port);
  for (unsigned i = 0; i < threads; ++i) {
    auto worker = std::make_unique<Worker>();
    auto& acceptor = worker->acceptor.emplace(worker->ioc);
    if (i == 0) {
      acceptor.open(endpoint.protocol(), ec);
      if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
      if (!ec) acceptor.bind(endpoint, ec);
      if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
    } else {
      const int fd = ::dup(workers_.front()->acceptor->native_handle());
      if (fd < 0)
        ec.assign(errno, boost::system::system_category());
      else
        acceptor.assign(endpoint.protocol(), fd, ec);
    }
    if (ec) {
      return fail(ErrorCode::kUnavailable,
                  "cannot listen on " + config_.host + ":" + std::to_string(config_.port),
                  ec.message());
    }
    workers_.push_back(std::move(worker));
  }
  const auto port = workers_.front()->acceptor->local_endpoint().port();
  const bool v6 = address.is_v6();
  address_ = (v6 ? "[" : "") + address.to_string() + (v6 ? "]" : "") + ":" + std::to_string(port);
  return {};
}

void BeastServer::cap_connections() {
  // Past the fd limit accept() fails, and clients wait in the backlog unanswered; under it
  // the cap answers them 503 at once.
  const auto limit = fs::fd_limit();
  if (!limit) {
    logger_->warn("cannot read the fd limit: {}", limit.error().message());
    return;
  }
  const auto allowed = detail::connections_within(limit->soft);
  if (config_.max_connections <= allowed) return;
  logger_->warn("connection limit lowered from {} to {}: the process may open {} files",
                config_.max_connections, allowed, limit->soft);
  config_.max_connections = allowed;
}

void BeastServer::run() {
  for (auto& worker : workers_) {
    asio::co_spawn(worker->ioc, accept_loop(*worker), asio::detached);
  }
  for (std::size_t i = 1; i < workers_.size(); ++i) {
    workers_[i]->thread = std::thread([w = workers_[i].get()] { w->ioc.run(); });
  }
  workers_[0]->ioc.run();
  for (std::size_t i = 1; i < workers_.size(); ++i) workers_[i]->thread.join();
}

void BeastServer::stop() {
  if (stopping_.exchange(true)) return;
  for (auto& worker : workers_) {
    asio::post(worker->ioc, [this, w = worker.get()] { begin_stop(*w); });
  }
}

Status BeastServer::reload_tls() {
  if (!config_.tls) return fail(ErrorCode::kInvalidArgument, "the server has no TLS to reload");
  auto tls = detail::make_server_context(*config_.tls, clock_);
  if (!tls) return fail(tls.error());
  std::lock_guard lock(tls_mutex_);
  tls_ = std::move(*tls);  // the old context lives on in the connections that use it
  return {};
}

void BeastServer::begin_stop(Worker& worker) {
  boost::system::error_code ignored;
  worker.acceptor->close(ignored);
  worker.accept_backoff.cancel();
  for (auto& connection : worker.connections) {
    if (connection.idle) {
      connection.close();
    } else if (connection.context) {
      connection.context->cancel(CancelReason::kServerStopping);
    }
  }
  if (worker.connections.empty()) return;
  // Requests still running at the deadline are cut off; the last connection to end cancels
  // the deadline, and run() returns once nothing is left.
  worker.drain_deadline.emplace(worker.ioc, config_.drain_timeout);
  worker.drain_deadline->async_wait([&worker](boost::system::error_code ec) {
    if (!ec) worker.ioc.stop();
  });
}

asio::awaitable<void> BeastServer::accept_loop(Worker& worker) {
  std::size_t failures = 0;  // consecutive out-of-descriptor failures: one episode
  for (;;) {
    auto [ec, socket] = co_await worker.acceptor->async_accept(kUseTuple);
    if (ec && (stopping_ || ec == asio::error::operation_aborted)) co_return;
    if (ec && detail::worth_backing_off(ec)) {
      // One line per episode: the condition, not every retry, is what an operator needs.
      if (failures++ == 0) logger_->warn("accept failed: {}; retrying with back-off", ec.message());
      worker.accept_backoff.expires_after(detail::backoff_delay(failures));
      co_await worker.accept_backoff.async_wait(kUseTuple);
      continue;
    }
    if (ec) {
      logger_->warn("accept failed: {}", ec.message());
      continue;
    }
    if (failures > 0) {
      logger_->info("accepting again after {} failed attempts", failures);
      failures = 0;
    }
    if (connection_count_.load(std::memory_order_relaxed) >= config_.max_connections) {
      static constexpr std::string_view kBusy =
          "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
      boost::system::error_code ignored;
      asio::write(socket, asio::buffer(kBusy), ignored);
      continue;
    }
    start_connection(worker, std::move(socket));
  }
}

void BeastServer::start_connection(Worker& worker, tcp::socket socket) {
  boost::system::error_code ignored;
  socket.set_option(tcp::no_delay(true), ignored);
  std::string remote;
  if (auto endpoint = socket.remote_endpoint(ignored); !ignored)
    remote = endpoint.address().to_string();
  connection_count_.fetch_add(1, std::memory_order_relaxed);
  auto& connection = worker.connections.emplace_front();
  auto it = worker.connections.begin();
  auto done = [this, &worker, it](std::exception_ptr error) {
    if (error) {
      try {
        std::rethrow_exception(error);
      } catch (const std::exception& e) {
        logger_->error("connection ended by exception: {}", e.what());
      } catch (...) {
        logger_->error("connection ended by an unknown exception");
      }
    }
    worker.connections.erase(it);
    connection_count_.fetch_sub(1, std::memory_order_relaxed);
    if (worker.drain_deadline && worker.connections.empty()) worker.drain_deadline->cancel();
  };
  if (auto context = current_tls()) {
    auto tls = std::make_shared<TlsConnection>(std::move(socket), std::move(context));
    connection.close = [tls] {
      boost::system::error_code e;
      beast::get_lowest_layer(tls->stream).socket().close(e);
    };
    asio::co_spawn(worker.ioc, run_tls(tls, connection, std::move(remote)), done);
  } else {
    auto stream = std::make_shared<PlainStream>(std::move(socket));
    connection.close = [stream] {
      boost::system::error_code e;
      stream->socket().close(e);
    };
    asio::co_spawn(worker.ioc, run_plain(stream, connection, std::move(remote)), done);
  }
}

asio::awaitable<void> BeastServer::run_plain(std::shared_ptr<PlainStream> stream,
                                             Connection& connection, std::string remote) {
  {
    ConnectionDeadline deadline(stream->socket(), deadline_granularity());
    co_await serve_connection(*stream, deadline, connection, std::move(remote), nullptr);
  }
  co_await linger(*stream);
}

asio::awaitable<void> BeastServer::run_tls(std::shared_ptr<TlsConnection> tls,
                                           Connection& connection, std::string remote) {
  TlsStream* stream = &tls->stream;
  {
    ConnectionDeadline deadline(beast::get_lowest_layer(*stream).socket(), deadline_granularity());
    deadline.expect_within(config_.idle_timeout);
    auto [handshake_error] =
        co_await stream->async_handshake(asio::ssl::stream_base::server, kUseTuple);
    if (handshake_error) {
      logger_->debug("TLS handshake with {} failed: {}", remote, handshake_error.message());
      co_return;
    }
    auto& handshakes =
        SSL_session_reused(stream->native_handle()) ? resumed_handshakes_ : full_handshakes_;
    handshakes.fetch_add(1, std::memory_order_relaxed);
    // Once per connection: every request on it sees the same identity.
    const auto peer = detail::verified_peer(stream->native_handle());
    co_await serve_connection(*stream, deadline, connection, std::move(remote),
                              peer ? &*peer : nullptr);
  }
  // Ending the connection is not the steady path: the stream's own timer bounds it.
  beast::get_lowest_layer(*stream).expires_after(std::chrono::seconds(5));
  co_await stream->async_shutdown(kUseTuple);
  co_await linger(beast::get_lowest_layer(*stream));
}

asio::awaitable<void> BeastServer::linger(PlainStream& stream) {
  // Lingering close: after our FIN, drain what the client is still sending (the rest of an
  // oversized request) so the kernel does not answer it with a reset that would destroy the
  // response still in flight.
  boost::system::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
  std::array<char, 16 * 1024> sink;
  stream.expires_after(std::chrono::seconds(2));
  for (std::size_t drained = 0; drained < 1024 * 1024;) {
    auto [ec, n] = co_await stream.async_read_some(asio::buffer(sink), kUseTuple);
    if (ec) break;
    drained += n;
  }
}

template <class Stream>
asio::awaitable<void> BeastServer::serve_connection(Stream& stream, ConnectionDeadline& deadline,
                                                    Connection& connection, std::string remote,
                                                    const PeerIdentity* peer) {
  beast::flat_buffer buffer;  // grows as needed; header_limit bounds it
  std::vector<Header> headers;
  ConnectionContext context(beast::get_lowest_layer(stream).socket(), clock_, stopping_);
  connection.context = &context;
  struct Unlink {
    Connection& connection;
    ~Unlink() { connection.context = nullptr; }
  } unlink{connection};
  for (;;) {
    Parser parser;
    parser.header_limit(static_cast<std::uint32_t>(config_.max_header_bytes));
    parser.body_limit(boost::none);  // bodies stream; handlers enforce their own limits
    connection.idle = true;
    deadline.expect_within(config_.idle_timeout);
    auto [ec, read] = co_await bhttp::async_read_header(stream, buffer, parser, kUseTuple);
    deadline.suspend();
    connection.idle = false;
    if (ec) co_return co_await answer_header_error(stream, deadline, remote, ec);
    const auto started = std::chrono::steady_clock::now();
    auto& message = parser.get();
    Request request = make_request(message.base(), remote, std::move(headers), context, peer);
    const bool expects_continue = beast::iequals(message[bhttp::field::expect], "100-continue");
    BeastBodyReader<Stream> body(stream, buffer, parser, deadline, config_.io_timeout,
                                 expects_continue);
    request.body = &body;

    Response response = co_await respond(request, parser);
    headers = std::move(request.headers);

    bool keep_alive = message.keep_alive() && !response.close &&
                      !stopping_.load(std::memory_order_relaxed) &&
                      context.cancel_reason() != CancelReason::kClientGone;
    if (!parser.is_done()) keep_alive = co_await skip_rest(body, parser, keep_alive);
    if (response.streamed() && message.version() < 11) keep_alive = false;  // close ends it
    const bool head = request.method == Method::kHead;
    auto sent = co_await detail::write_response(stream, deadline, response, head, keep_alive,
                                                message.version(), config_.io_timeout);
    if (observer_) {
      observer_(Exchange{request.method, response.route, request.target, remote, response.status,
                         sent ? *sent : 0, std::chrono::steady_clock::now() - started,
                         response.diagnostic});
    }
    if (!sent) {
      logger_->debug("response to {} aborted: {} {}", remote, sent.error().message(),
                     sent.error().detail());
      co_return;
    }
    if (!keep_alive) co_return;
  }
}

template <class Stream>
asio::awaitable<void> BeastServer::answer_header_error(Stream& stream, ConnectionDeadline& deadline,
                                                       std::string_view remote,
                                                       const boost::system::error_code& ec) {
  if (ec != bhttp::error::end_of_stream)
    logger_->debug("connection from {} ended: {}", remote, ec.message());
  const auto status = header_error_status(ec);
  if (!status) co_return;
  Response refused(*status);
  refused.close = true;
  (void)co_await detail::write_response(stream, deadline, refused, false, false, 11,
                                        config_.io_timeout);
}

asio::awaitable<Response> BeastServer::respond(Request& request, const Parser& parser) {
  if (auto rejection = detail::check_framing(parser.get().base(), parser.chunked())) {
    logger_->debug("request from {} refused: {}", request.remote_address, rejection->reason);
    Response refused(rejection->status);
    refused.close = true;  // where this request's body ends is unknown or disputed
    co_return refused;
  }
  // A method no handler knows (TRACE, CONNECT, FOO) is answered here, generically, rather
  // than reaching handlers that would each have to tell it from GET.
  if (request.method == Method::kOther) co_return Response(501);
  co_return co_await call_handler(request);
}

asio::awaitable<Response> BeastServer::call_handler(Request& request) {
  // The connection is the failure boundary for a handler bug: the exception becomes a 500
  // that closes the connection (how much body the handler read is unknown), is logged here
  // and reaches the Observer through the diagnostic like any other server-side failure.
  std::string what;
  try {
    co_return co_await handler_(request);
  } catch (const std::exception& e) {
    what = e.what();
  } catch (...) {
    what = "unknown exception";
  }
  logger_->error("handler threw on {} {}: {}", method_name(request.method), request.target, what);
  Response failed(500);
  failed.close = true;
  failed.diagnostic = "handler threw: " + what;
  co_return failed;
}

}  // namespace

namespace {

Result<std::unique_ptr<Server>> create_server(ServerConfig config, Handler handler,
                                              Observer observer, log::Logger logger,
                                              const Clock* clock) {
  auto server = std::make_unique<BeastServer>(std::move(config), std::move(handler),
                                              std::move(observer), std::move(logger), clock);
  if (auto status = server->init(); !status) return fail(status.error());
  return std::unique_ptr<Server>(std::move(server));
}

}  // namespace

Result<std::unique_ptr<Server>> Server::create(ServerConfig config, Handler handler,
                                               Observer observer, log::Logger logger) {
  return create_server(std::move(config), std::move(handler), std::move(observer),
                       std::move(logger), nullptr);
}

Result<std::unique_ptr<Server>> Server::create(ServerConfig config, Handler handler,
                                               Observer observer, log::Logger logger,
                                               const Clock& clock) {
  return create_server(std::move(config), std::move(handler), std::move(observer),
                       std::move(logger), &clock);
}

}  // namespace common::http
