#include "cli/management_client.hpp"

#include <fmt/format.h>

#include "common/http/percent_encoding.hpp"

namespace cli {
namespace {

using common::ErrorCode;
using common::fail;
using nlohmann::json;

ErrorCode code_of_status(int status) {
  switch (status) {
    case 400:
      return ErrorCode::kInvalidArgument;
    case 401:
      return ErrorCode::kUnauthenticated;
    case 403:
      return ErrorCode::kPermissionDenied;
    case 404:
      return ErrorCode::kNotFound;
    case 409:
      return ErrorCode::kConflict;
    case 410:
      return ErrorCode::kGone;
    case 413:
      return ErrorCode::kTooLarge;
    case 429:
      return ErrorCode::kTooManyRequests;
    case 503:  // unavailable (starting, overloaded): exit 3, like unreachable
      return ErrorCode::kUnavailable;
    default:
      return ErrorCode::kInternal;
  }
}

common::Error api_error(int status, const std::string& body, const std::string& server) {
  std::string message;
  try {
    const auto document = json::parse(body);
    message = document.at("error").at("message").get<std::string>();
  } catch (const json::exception&) {
    message = fmt::format("ground control at {} answered HTTP {}", server, status);
  }
  if (status == 401) message += " (log in again: gcctl login)";
  if (status == 403) message += " (this needs an admin)";
  return common::Error(code_of_status(status), std::move(message));
}

}  // namespace

std::string url_encode(std::string_view text) {
  return common::http::percent_encode(text);
}

ManagementClient::ManagementClient(std::unique_ptr<common::http::HttpClient> http,
                                   std::string server, std::string token)
    : http_(std::move(http)), server_(std::move(server)), token_(std::move(token)) {}

common::Result<std::unique_ptr<ManagementClient>> ManagementClient::create(const Context& context) {
  auto server = context.server;
  while (server.ends_with('/')) server.pop_back();
  if (!server.starts_with("https://") && !server.starts_with("http://"))
    return fail(ErrorCode::kInvalidArgument,
                fmt::format("server \"{}\": expected https://HOST:PORT", context.server));
  common::http::ClientOptions options;
  options.connect_timeout = std::chrono::seconds(10);
  options.ca_file = context.ca_file;
  options.ca_pem = context.ca_pem;
  options.insecure_skip_verify = context.insecure_skip_tls_verify;
  options.user_agent = "gcctl/0.1";
  options.proxy = std::nullopt;
  auto http = common::http::HttpClient::create(std::move(options));
  if (!http) return fail(http.error());
  return std::unique_ptr<ManagementClient>(
      new ManagementClient(std::move(*http), std::move(server), context.token));
}

common::http::ClientRequest ManagementClient::make_request(const std::string& method,
                                                           const std::string& path,
                                                           const Query& query) const {
  common::http::ClientRequest request;
  request.method = method;
  request.url = server_ + path;
  char separator = '?';
  for (const auto& [key, value] : query) {
    request.url += separator + url_encode(key) + "=" + url_encode(value);
    separator = '&';
  }
  request.headers.emplace_back("Accept", "application/json");
  if (!token_.empty()) request.headers.emplace_back("Authorization", "Bearer " + token_);
  return request;
}

common::Error ManagementClient::transport_error(const common::Error& error) const {
  auto why = error.detail().empty() ? error.message() : error.detail();
  if (why.starts_with("curl error ") && why.find(": ") != std::string::npos)
    why = why.substr(why.find(": ") + 2);
  if (error.code() == ErrorCode::kPermissionDenied)
    return common::Error(
        ErrorCode::kUnavailable,
        fmt::format("ground control at {}: its TLS certificate is not trusted ({})", server_, why));
  return common::Error(ErrorCode::kUnavailable,
                       fmt::format("cannot reach ground control at {}: {}", server_, why));
}

common::Result<json> ManagementClient::call(const std::string& method, const std::string& path,
                                            const Query& query, const std::optional<json>& body,
                                            const std::string& content_type) {
  auto request = make_request(method, path, query);
  if (body) {
    request.headers.emplace_back("Content-Type", content_type);
    request.body = body->dump();
  } else if (method == "POST" || method == "PUT") {
    request.body = "";
  }
  auto response = http_->request(request);
  if (!response) return fail(transport_error(response.error()));
  if (response->status >= 400) return fail(api_error(response->status, response->body, server_));
  if (response->body.empty()) return json(nullptr);
  try {
    return json::parse(response->body);
  } catch (const json::exception&) {
    return fail(ErrorCode::kInternal,
                fmt::format("ground control at {} answered {} {} with a body that is not JSON",
                            server_, method, path));
  }
}

common::Status ManagementClient::stream(const std::string& path, const Query& query,
                                        const std::function<common::Status(const json&)>& on_line) {
  std::string partial;  // the line being received
  // The sink's own failures (the callback's, a line not JSON) come back from request() as
  // they are; they are told from the transport's by being set here.
  std::optional<common::Error> stopped;
  auto response = http_->request(make_request("GET", path, query), [&](std::string_view chunk) {
    partial.append(chunk);
    std::size_t begin = 0;
    for (auto end = partial.find('\n'); end != std::string::npos;
         begin = end + 1, end = partial.find('\n', begin)) {
      const std::string_view line(partial.data() + begin, end - begin);
      if (line.empty()) continue;
      json document = json::parse(line, nullptr, false);
      common::Status handled =
          document.is_discarded()
              ? fail(ErrorCode::kInternal,
                     fmt::format("ground control at {} streamed a line that is not JSON", server_))
              : on_line(document);
      if (!handled) {
        stopped = handled.error();
        return handled;
      }
    }
    partial.erase(0, begin);
    return common::Status{};
  });
  if (stopped) return fail(*stopped);
  if (!response) return fail(transport_error(response.error()));
  if (response->status >= 400) return fail(api_error(response->status, response->body, server_));
  return {};
}

}  // namespace cli
