#include "nats_wire_client.hpp"

#include <fmt/format.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <charconv>
#include <nlohmann/json.hpp>
#include <vector>

#include "common/crypto/base64.hpp"

namespace fleet_sim {
namespace {

namespace asio = boost::asio;
using common::ErrorCode;
using common::fail;
constexpr auto kUseTuple = asio::as_tuple(asio::use_awaitable);
constexpr std::size_t kMaxLine = 64 * 1024;  // INFO is the longest line a server sends

std::vector<std::string_view> words(std::string_view line) {
  std::vector<std::string_view> out;
  while (!line.empty()) {
    const auto start = line.find_first_not_of(' ');
    if (start == std::string_view::npos) break;
    line.remove_prefix(start);
    const auto end = line.find(' ');
    out.push_back(line.substr(0, end));
    if (end == std::string_view::npos) break;
    line.remove_prefix(end);
  }
  return out;
}

std::optional<std::size_t> number(std::string_view text) {
  std::size_t n = 0;
  const auto* end = text.data() + text.size();
  if (std::from_chars(text.data(), end, n).ptr != end) return std::nullopt;
  return n;
}

}  // namespace

int NatsMessage::status() const {
  // "NATS/1.0 408 Request Timeout\r\n…"
  if (!headers.starts_with("NATS/1.0 ")) return 0;
  int code = 0;
  std::from_chars(headers.data() + 9, headers.data() + headers.size(), code);
  return code;
}

NatsWireClient::NatsWireClient(asio::io_context& io, asio::ssl::context& tls) : stream_(io, tls) {}

asio::awaitable<common::Result<std::string>> NatsWireClient::read_line() {
  auto [ec, n] =
      tls_ ? co_await asio::async_read_until(stream_, input_, "\r\n", kUseTuple)
           : co_await asio::async_read_until(stream_.next_layer(), input_, "\r\n", kUseTuple);
  if (ec) co_return fail(ErrorCode::kUnavailable, "NATS read: " + ec.message());
  if (n > kMaxLine) co_return fail(ErrorCode::kUnavailable, "NATS read: line too long");
  const auto* data = static_cast<const char*>(input_.data().data());
  std::string line(data, n - 2);
  input_.consume(n);
  co_return line;
}

asio::awaitable<common::Result<std::string>> NatsWireClient::read_exactly(std::size_t n) {
  if (input_.size() < n) {
    const auto missing = n - input_.size();
    auto [ec, got] = tls_ ? co_await asio::async_read(stream_, input_,
                                                      asio::transfer_at_least(missing), kUseTuple)
                          : co_await asio::async_read(stream_.next_layer(), input_,
                                                      asio::transfer_at_least(missing), kUseTuple);
    if (ec) co_return fail(ErrorCode::kUnavailable, "NATS read: " + ec.message());
  }
  const auto* data = static_cast<const char*>(input_.data().data());
  std::string bytes(data, n);
  input_.consume(n);
  co_return bytes;
}

asio::awaitable<common::Status> NatsWireClient::connect(const asio::ip::tcp::endpoint& endpoint,
                                                        const std::string& jwt,
                                                        const common::nats::Nkey& user,
                                                        const std::string& name) {
  auto& socket = stream_.next_layer();
  if (auto [ec] = co_await socket.async_connect(endpoint, kUseTuple); ec)
    co_return fail(ErrorCode::kUnavailable, "NATS connect: " + ec.message());
  socket.set_option(asio::ip::tcp::no_delay(true));
  auto info_line = co_await read_line();
  if (!info_line) co_return fail(info_line.error());
  if (!info_line->starts_with("INFO "))
    co_return fail(ErrorCode::kUnavailable, "NATS: expected INFO, got " + *info_line);
  const auto info = nlohmann::json::parse(info_line->substr(5), nullptr, false);
  if (info.is_discarded()) co_return fail(ErrorCode::kUnavailable, "NATS: unreadable INFO");
  if (info.value("tls_required", false)) {
    if (auto [ec] = co_await stream_.async_handshake(asio::ssl::stream_base::client, kUseTuple); ec)
      co_return fail(ErrorCode::kUnavailable, "NATS TLS handshake: " + ec.message());
    tls_ = true;
  }
  nlohmann::json hello = {{"verbose", false}, {"pedantic", false},   {"tls_required", tls_},
                          {"name", name},     {"lang", "fleet-sim"}, {"version", "0.1"},
                          {"protocol", 1},    {"headers", true},     {"no_responders", true},
                          {"jwt", jwt}};
  if (const auto nonce = info.value("nonce", std::string()); !nonce.empty())
    hello["sig"] = common::crypto::base64url_encode(user.sign(nonce));
  queue("CONNECT " + hello.dump() + "\r\nPING\r\n");
  for (;;) {
    auto line = co_await read_line();
    if (!line) co_return fail(line.error());
    if (*line == "PONG") co_return common::Status{};
    if (line->starts_with("-ERR"))
      co_return fail(ErrorCode::kUnauthenticated, "NATS refused the connection: " + *line);
  }
}

void NatsWireClient::subscribe(std::string_view subject, int sid) {
  queue(fmt::format("SUB {} {}\r\n", subject, sid));
}

void NatsWireClient::publish(std::string_view subject, std::string_view reply,
                             std::string_view payload) {
  queue(fmt::format("PUB {}{}{} {}\r\n{}\r\n", subject, reply.empty() ? "" : " ", reply,
                    payload.size(), payload));
}

void NatsWireClient::publish_with_headers(std::string_view subject, std::string_view reply,
                                          std::string_view headers, std::string_view payload) {
  const auto block = fmt::format("NATS/1.0\r\n{}\r\n", headers);
  queue(fmt::format("HPUB {}{}{} {} {}\r\n{}{}\r\n", subject, reply.empty() ? "" : " ", reply,
                    block.size(), block.size() + payload.size(), block, payload));
}

asio::awaitable<common::Result<NatsMessage>> NatsWireClient::next() {
  for (;;) {
    if (failed_) co_return fail(ErrorCode::kUnavailable, "NATS: the connection failed");
    auto line = co_await read_line();
    if (!line) co_return fail(line.error());
    if (*line == "PING") {
      queue("PONG\r\n");
      continue;
    }
    if (line->starts_with("-ERR")) co_return fail(ErrorCode::kUnavailable, "NATS: " + *line);
    const auto w = words(*line);
    const bool with_headers = !w.empty() && w[0] == "HMSG";
    if (w.empty() || (w[0] != "MSG" && !with_headers)) continue;  // +OK, PONG, INFO
    // MSG subject sid [reply] bytes | HMSG subject sid [reply] header-bytes total-bytes
    const std::size_t fixed = with_headers ? 5 : 4;
    if (w.size() != fixed && w.size() != fixed + 1)
      co_return fail(ErrorCode::kUnavailable, "NATS: unreadable " + *line);
    const bool has_reply = w.size() == fixed + 1;
    const auto total = number(w.back());
    const auto header_bytes =
        with_headers ? number(w[w.size() - 2]) : std::optional<std::size_t>(0);
    if (!total || !header_bytes || *header_bytes > *total)
      co_return fail(ErrorCode::kUnavailable, "NATS: unreadable " + *line);
    auto body = co_await read_exactly(*total + 2);
    if (!body) co_return fail(body.error());
    NatsMessage message;
    message.subject = std::string(w[1]);
    if (has_reply) message.reply = std::string(w[3]);
    message.headers = body->substr(0, *header_bytes);
    message.payload = body->substr(*header_bytes, *total - *header_bytes);
    co_return message;
  }
}

void NatsWireClient::close() {
  boost::system::error_code ignored;
  stream_.next_layer().close(ignored);
}

void NatsWireClient::queue(std::string bytes) {
  output_ += bytes;
  if (writing_) return;
  writing_ = true;
  asio::co_spawn(stream_.get_executor(), write_all(), asio::detached);
}

asio::awaitable<void> NatsWireClient::write_all() {
  std::string sending;
  while (!output_.empty() && !failed_) {
    sending.clear();
    sending.swap(output_);
    auto [ec, n] =
        tls_ ? co_await asio::async_write(stream_, asio::buffer(sending), kUseTuple)
             : co_await asio::async_write(stream_.next_layer(), asio::buffer(sending), kUseTuple);
    if (ec) failed_ = true;
  }
  writing_ = false;
}

}  // namespace fleet_sim
