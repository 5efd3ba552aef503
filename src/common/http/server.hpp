// Server: an HTTP/1.1 server on Boost.Beast. One io_context per thread, all accepting from
// one listening socket (each thread holds a dup of it), and one coroutine per connection that
// reads a request header, awaits the Handler, writes the response and loops while keep-alive
// holds. Bodies stream both ways: request bodies through BodyReader, file responses with
// sendfile on plain TCP. Limits: header size, connection count (kept within the fd limit),
// idle and stalled-I/O timeouts.
// The server answers by itself, without calling the Handler: 400 and close for a header it
// cannot parse or whose framing is ambiguous (request smuggling, RFC 9112 §6) or a missing
// Host; 431 for an oversized header; 501 for a method outside Method (TRACE, CONNECT, …) or
// an unknown transfer coding; 500 and close when the Handler throws (the Observer sees it,
// with the exception in the diagnostic). stop() is graceful: it stops accepting, closes idle
// connections, cancels the RequestContext of in-flight requests (a parked long-poll returns
// at once), lets them finish (up to drain_timeout) and makes run() return.
// TLS (ServerConfig::tls): the certificate chain and key, optionally verifying client
// certificates against a CA bundle; a request on a connection whose client certificate
// verified carries its PeerIdentity. reload_tls() re-reads the files for new connections.
// Sessions resume from tickets (TLS 1.3 and 1.2), sealed with TlsConfig::session_tickets.
// Timeouts: one timer per connection, re-armed only when it fires
// (detail/connection_deadline.hpp), so a keep-alive request costs no timer operation.
// Thread-safety: stop(), reload_tls(), tls_handshakes() and local_address() may be called from
// any thread; run() once.
#pragma once

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "common/clock.hpp"
#include "common/http/request.hpp"
#include "common/http/response.hpp"
#include "common/http/session_ticket_keys.hpp"
#include "common/log/logger.hpp"
#include "common/result.hpp"

namespace common::http {

using Handler = std::function<boost::asio::awaitable<Response>(Request&)>;

// One finished request, reported to the Observer after its response was written.
struct Exchange {
  Method method;
  std::string_view route;
  std::string_view target;
  std::string_view remote_address;
  int status;
  std::uint64_t bytes_sent;
  std::chrono::nanoseconds duration;
  std::string_view diagnostic;  // Response::diagnostic
};
using Observer = std::function<void(const Exchange&)>;

enum class ClientCertMode {
  kOff,       // no client certificate is asked for
  kOptional,  // asked for; a client without one connects, one whose chain fails is refused
  kRequired,  // a client without a certificate that verifies is refused at the handshake
};

struct TlsConfig {
  std::string cert_file;       // PEM certificate chain, the server's first
  std::string key_file;        // PEM private key
  std::string client_ca_file;  // PEM bundle of the CAs client certificates must chain to
  ClientCertMode client_certs = ClientCertMode::kOff;  // kOptional/kRequired need the bundle
  // The keys of session tickets. Servers given keys derived from one secret resume each
  // other's sessions, also across reload_tls() and restarts; without them each TLS context
  // makes random keys of its own (a reload or another process means a full handshake).
  std::shared_ptr<const SessionTicketKeys> session_tickets;
};

// TLS handshakes completed since create(): full ones, and resumed sessions.
struct TlsHandshakeCounts {
  std::uint64_t full = 0;
  std::uint64_t resumed = 0;
};

struct ServerConfig {
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;  // 0 picks a free port
  unsigned threads = 0;    // 0: one per core
  std::size_t max_header_bytes = 16 * 1024;
  // Lowered at create() (with a warning) to what RLIMIT_NOFILE allows, less a reserve of 64
  // descriptors for files (at least half the limit goes to connections).
  std::size_t max_connections = 4096;
  std::chrono::seconds idle_timeout{60};  // waiting for the next request header
  std::chrono::seconds io_timeout{60};    // no progress reading a body or writing a response
  std::chrono::seconds drain_timeout{30};
  std::optional<TlsConfig> tls;
};

class Server {
 public:
  // Binds the listening socket; kUnavailable when the address cannot be bound,
  // kInvalidArgument for an invalid TLS configuration or unreadable TLS files. Handlers
  // read the time from `clock` (RequestContext::clock), which must outlive the server; the
  // first form uses the system clock.
  [[nodiscard]] static Result<std::unique_ptr<Server>> create(ServerConfig config, Handler handler,
                                                              Observer observer,
                                                              log::Logger logger);
  [[nodiscard]] static Result<std::unique_ptr<Server>> create(ServerConfig config, Handler handler,
                                                              Observer observer, log::Logger logger,
                                                              const Clock& clock);
  virtual ~Server() = default;

  // "host:port" actually bound.
  virtual std::string local_address() const = 0;
  // Serves until stop() has drained; blocks the calling thread.
  virtual void run() = 0;
  // Begins a graceful stop; returns at once.
  virtual void stop() = 0;
  // Loads ServerConfig::tls's files again into a new TLS context that connections accepted
  // from now on use; open connections keep the one they started with. kInvalidArgument (the
  // current context stays) when the new files do not load or the server has no TLS.
  [[nodiscard]] virtual Status reload_tls() = 0;
  // Handshakes completed so far; zero without TLS.
  virtual TlsHandshakeCounts tls_handshakes() const = 0;
};

}  // namespace common::http
