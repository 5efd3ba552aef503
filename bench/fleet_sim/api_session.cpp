#include "api_session.hpp"

#include <fmt/format.h>

#include <boost/beast/http/field.hpp>

#include <charconv>

namespace fleet_sim {
namespace {

namespace http = boost::beast::http;
using common::ErrorCode;
using common::fail;

}  // namespace

ApiSession::ApiSession(boost::asio::io_context& io, boost::asio::ssl::context& tls,
                       boost::asio::ip::tcp::endpoint endpoint)
    : io_(io), tls_(tls), endpoint_(endpoint) {}

boost::asio::awaitable<common::Status> ApiSession::login(const std::string& password) {
  // Named, not braced in the co_await: g++ 12 miscompiles string literals there.
  const nlohmann::json credentials = {{"username", "admin"}, {"password", password}};
  auto answer = co_await call(http::verb::post, "/api/v1/login", credentials);
  if (!answer) co_return fail(answer.error());
  if (answer->status != 200 || !answer->body.contains("token"))
    co_return fail(ErrorCode::kUnauthenticated, "login: " + describe(*answer));
  token_ = answer->body["token"].get<std::string>();
  co_return common::Status{};
}

boost::asio::awaitable<common::Result<HttpResponse>> ApiSession::send(HttpRequest& request) {
  for (int attempt = 0; attempt < 2; ++attempt) {
    if (!connection_) {
      connection_ = std::make_unique<HttpsConnection>(io_, tls_, nullptr);
      if (auto ec = co_await connection_->connect(endpoint_)) {
        connection_.reset();
        co_return fail(ErrorCode::kUnavailable, "API: connect: " + ec.message());
      }
    }
    HttpResponse response;
    auto ec = co_await connection_->exchange(request, response);
    if (!ec) {
      if (!response.keep_alive()) connection_.reset();
      co_return response;
    }
    connection_.reset();  // the server may have closed an idle keep-alive: try once more
    if (attempt == 1) co_return fail(ErrorCode::kUnavailable, "API: " + ec.message());
  }
  co_return fail(ErrorCode::kUnavailable, "API: unreachable");
}

boost::asio::awaitable<common::Result<ApiSession::Answer>> ApiSession::call(
    http::verb method, const std::string& target, const nlohmann::json& body) {
  HttpRequest request{method, target, 11};
  request.set(http::field::host, "ground-control");
  if (!token_.empty()) request.set(http::field::authorization, "Bearer " + token_);
  if (!body.is_null()) {
    request.set(http::field::content_type, "application/json");
    request.body() = body.dump();
  }
  auto response = co_await send(request);
  if (!response) co_return fail(response.error());
  Answer answer{response->result_int(), nullptr};
  if (!response->body().empty())
    answer.body = nlohmann::json::parse(response->body(), nullptr, /*allow_exceptions=*/false);
  co_return answer;
}

boost::asio::awaitable<common::Result<double>> ApiSession::gauge(const std::string& name) {
  HttpRequest request{http::verb::get, "/metrics", 11};
  request.set(http::field::host, "ground-control");
  auto response = co_await send(request);
  if (!response) co_return fail(response.error());
  const std::string& text = response->body();
  const auto at = text.find("\n" + name + " ");
  if (at == std::string::npos) co_return fail(ErrorCode::kUnavailable, name + ": not in /metrics");
  const auto begin = text.data() + at + name.size() + 2;
  double value = 0;
  std::from_chars(begin, text.data() + text.size(), value);
  co_return value;
}

std::string describe(const ApiSession::Answer& answer) {
  return fmt::format("{} {}", answer.status, answer.body.dump().substr(0, 300));
}

}  // namespace fleet_sim
