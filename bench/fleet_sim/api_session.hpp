// ApiSession: a keep-alive JSON session with one of ground control's listeners, without a
// client certificate: the management API (logged in as admin, or with a token one session
// shared), the /metrics gauge the long-poll phases wait on, and enrollment on the satellite
// listener. Thread-safety: one io_context thread, as HttpsConnection.
#pragma once

#include <nlohmann/json.hpp>

#include <initializer_list>
#include <string>

#include "common/result.hpp"
#include "https_connection.hpp"

namespace fleet_sim {

class ApiSession {
 public:
  ApiSession(boost::asio::io_context& io, boost::asio::ssl::context& tls,
             boost::asio::ip::tcp::endpoint endpoint);

  // Logs in as admin with `password`; kUnavailable / kUnauthenticated otherwise.
  boost::asio::awaitable<common::Status> login(const std::string& password);
  // The bearer token login() got, to share with other sessions through use_token().
  const std::string& token() const noexcept { return token_; }
  void use_token(std::string token) { token_ = std::move(token); }
  // METHOD target with the JSON `body` (none when null). The answer's status and parsed
  // body; kUnavailable on a network error. Reconnects once when the server closed.
  struct Answer {
    unsigned status = 0;
    nlohmann::json body;
  };
  boost::asio::awaitable<common::Result<Answer>> call(boost::beast::http::verb method,
                                                      const std::string& target,
                                                      const nlohmann::json& body);
  // The value of the gauge `name` in GET /metrics; kUnavailable when it is not there.
  boost::asio::awaitable<common::Result<double>> gauge(const std::string& name);

 private:
  boost::asio::awaitable<common::Result<HttpResponse>> send(HttpRequest& request);

  boost::asio::io_context& io_;
  boost::asio::ssl::context& tls_;
  boost::asio::ip::tcp::endpoint endpoint_;
  std::unique_ptr<HttpsConnection> connection_;
  std::string token_;
};

// "what: STATUS body" for an answer that was not the one expected.
std::string describe(const ApiSession::Answer& answer);

}  // namespace fleet_sim
