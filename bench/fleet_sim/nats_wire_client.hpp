// NatsWireClient: the simulator's own minimal NATS client. libnats starts threads for every
// connection, so 10,000 simulated satellites cannot each hold one; this speaks the text
// protocol (https://docs.nats.io/reference/reference-protocols/nats-protocol) over Asio on
// the io_context thread that owns it, so one thread carries thousands of connections:
// INFO, the TLS upgrade nats-server 2.9 asks for, CONNECT with the user JWT and the server's
// nonce signed by the user nkey, SUB, PUB / HPUB, MSG / HMSG (headers kept raw), PING/PONG.
// Writes are queued and sent by one writer, so a PONG and a publish never interleave.
// Thread-safety: one io_context thread (the one it was made on).
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/streambuf.hpp>

#include <string>
#include <string_view>

#include "common/nats/nkey.hpp"
#include "common/result.hpp"

namespace fleet_sim {

struct NatsMessage {
  std::string subject;
  std::string reply;    // "" when none
  std::string headers;  // HMSG: the raw header block ("NATS/1.0 408 …\r\n…"); "" for MSG
  std::string payload;

  // The status code of a status message ("NATS/1.0 408 Request Timeout" → 408); 0 if none.
  int status() const;
};

class NatsWireClient {
 public:
  NatsWireClient(boost::asio::io_context& io, boost::asio::ssl::context& tls);

  // Connects, reads INFO, upgrades to TLS when the server requires it, sends CONNECT (as
  // `name`, authenticated by `jwt` and `user`'s signature of the nonce) and PING, and waits
  // for the PONG. kUnauthenticated / kUnavailable with the server's -ERR or the I/O error.
  boost::asio::awaitable<common::Status> connect(const boost::asio::ip::tcp::endpoint& endpoint,
                                                 const std::string& jwt,
                                                 const common::nats::Nkey& user,
                                                 const std::string& name);
  // Queue protocol lines; errors surface in next().
  void subscribe(std::string_view subject, int sid);
  void publish(std::string_view subject, std::string_view reply, std::string_view payload);
  // HPUB: `headers` is header lines without the "NATS/1.0" line ("Nats-Msg-Id: x\r\n").
  void publish_with_headers(std::string_view subject, std::string_view reply,
                            std::string_view headers, std::string_view payload);
  // The next message; answers PINGs on the way. kUnavailable on EOF, -ERR or an I/O error.
  boost::asio::awaitable<common::Result<NatsMessage>> next();
  void close();

 private:
  using Stream = boost::asio::ssl::stream<boost::asio::ip::tcp::socket>;
  boost::asio::awaitable<common::Result<std::string>> read_line();
  boost::asio::awaitable<common::Result<std::string>> read_exactly(std::size_t n);
  void queue(std::string bytes);
  boost::asio::awaitable<void> write_all();

  Stream stream_;
  bool tls_ = false;
  boost::asio::streambuf input_;
  std::string output_;  // queued while a write is in flight
  bool writing_ = false;
  bool failed_ = false;
};

}  // namespace fleet_sim
