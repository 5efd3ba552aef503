#include "groundcontrol/registry/harbor_api_client.hpp"

#include <fmt/format.h>

#include <cctype>

#include "common/crypto/base64.hpp"
#include "common/http/request.hpp"
#include "common/oci/link_header.hpp"

namespace groundcontrol::registry {
namespace {

using common::ErrorCode;
using common::fail;

constexpr std::string_view kApiPrefix = "/api/v2.0";
// Pages of one list followed at most: a server whose `next` links loop ends here.
constexpr std::size_t kMaxPages = 10'000;
// Harbor's page_size bounds (swagger: maximum 100; 0 would mean "all").
constexpr std::size_t kMaxPageSize = 100;
// Longest piece of Harbor's own error message carried into ours.
constexpr std::size_t kMaxHarborMessage = 200;

// Harbor's first error message from an envelope {"errors":[{"code","message"}]}; "" when
// the body is not one.
std::string harbor_message(const std::string& body) {
  const auto json = nlohmann::json::parse(body, nullptr, false);
  if (!json.is_object()) return {};
  const auto errors = json.find("errors");
  if (errors == json.end() || !errors->is_array() || errors->empty()) return {};
  const auto& first = errors->front();
  if (!first.is_object()) return {};
  const auto message = first.find("message");
  if (message == first.end() || !message->is_string()) return {};
  auto text = message->get<std::string>();
  if (text.size() > kMaxHarborMessage) text = text.substr(0, kMaxHarborMessage) + "...";
  // One line, printable: the text comes from the server.
  for (auto& c : text) {
    if (!std::isprint(static_cast<unsigned char>(c))) c = ' ';
  }
  return text;
}

std::string with_page(std::string_view path, std::size_t page_size) {
  const char separator = path.find('?') == std::string_view::npos ? '?' : '&';
  return fmt::format("{}{}page=1&page_size={}", path, separator, page_size);
}

}  // namespace

std::string harbor_repository_segment(std::string_view repository) {
  return common::http::percent_encode(common::http::percent_encode(repository));
}

common::Result<std::unique_ptr<HarborApiClient>> HarborApiClient::create(
    common::oci::RegistryEndpoint endpoint, HarborApiClientOptions options) {
  while (!endpoint.url.empty() && endpoint.url.back() == '/') endpoint.url.pop_back();
  if (!endpoint.url.starts_with("http://") && !endpoint.url.starts_with("https://")) {
    return fail(ErrorCode::kInvalidArgument,
                "the Harbor URL must start with http:// or https://, not \"" + endpoint.url + "\"");
  }
  if (options.label.empty()) options.label = "Harbor at " + endpoint.url;
  if (options.page_size == 0 || options.page_size > kMaxPageSize) options.page_size = kMaxPageSize;
  auto http_options = options.http;
  http_options.ca_file = endpoint.ca_file;
  http_options.ca_pem = endpoint.ca_pem;
  http_options.insecure_skip_verify = endpoint.insecure_skip_verify;
  auto http = common::http::HttpClient::create(std::move(http_options));
  if (!http) return fail(std::move(http.error()));
  return std::unique_ptr<HarborApiClient>(
      new HarborApiClient(std::move(endpoint), std::move(options), std::move(*http)));
}

common::Error HarborApiClient::status_error(int status, const std::string& body,
                                            std::string_view path, std::string_view what) const {
  const auto said = harbor_message(body);
  const std::string because = said.empty() ? "" : fmt::format(": \"{}\"", said);
  const auto& label = options_.label;
  switch (status) {
    case 401:
      return {ErrorCode::kPermissionDenied,
              fmt::format("{} refused the credentials for {} (HTTP 401 at {}): check the "
                          "credentials",
                          label, what, path)};
    case 403:
      return {ErrorCode::kPermissionDenied,
              fmt::format("{} denied {} to these credentials (HTTP 403 at {}){}: check the "
                          "credentials and their permissions",
                          label, what, path, because)};
    case 404:
      return {ErrorCode::kNotFound,
              fmt::format("{} not found in {} (HTTP 404 at {}){}", what, label, path, because)};
    case 409:
      return {ErrorCode::kAlreadyExists, fmt::format("{} already exists in {} (HTTP 409 at {}){}",
                                                     what, label, path, because)};
    case 400:
    case 422:
      return {ErrorCode::kInvalidArgument,
              fmt::format("{} refused the request for {} (HTTP {} at {}){}", label, what, status,
                          path, because)};
    case 429:
      return {ErrorCode::kTooManyRequests,
              fmt::format("{} is rate-limiting requests (HTTP 429 at {})", label, path)};
    default:
      return {ErrorCode::kUnavailable, fmt::format("{} answered HTTP {} for {} at {}{}", label,
                                                   status, what, path, because)};
  }
}

common::Result<nlohmann::json> HarborApiClient::send(std::string_view method,
                                                     const std::string& url, std::string_view path,
                                                     std::string_view what,
                                                     const std::optional<nlohmann::json>& body,
                                                     std::string* next_page) {
  common::http::ClientRequest request;
  request.method = std::string(method);
  request.url = url;
  request.headers.emplace_back("Accept", "application/json");
  if (!endpoint_.username.empty()) {
    request.headers.emplace_back(
        "Authorization",
        "Basic " + common::crypto::base64_encode(endpoint_.username + ":" + endpoint_.password));
  }
  if (body) {
    request.headers.emplace_back("Content-Type", "application/json");
    request.body = body->dump();
  }
  auto response = http_->request(request);
  if (!response) {
    return fail(response.error().code(),
                fmt::format("{}: {}", options_.label, response.error().message()));
  }
  if (response->status < 200 || response->status >= 300) {
    return fail(status_error(response->status, response->body, path, what));
  }
  if (next_page != nullptr) {
    next_page->clear();
    if (auto link = response->headers.get("Link")) {
      if (auto target = common::oci::next_link(*link)) {
        auto resolved = common::oci::resolve_same_origin(endpoint_.url, *target);
        if (!resolved) {
          return fail(ErrorCode::kUnavailable,
                      fmt::format("{} pages {} onto another host: refused", options_.label, what));
        }
        *next_page = std::move(*resolved);
      }
    }
  }
  if (response->body.empty() || method == "HEAD") return nlohmann::json();
  auto json = nlohmann::json::parse(response->body, nullptr, false);
  if (json.is_discarded()) {
    return fail(ErrorCode::kUnavailable,
                fmt::format("{} answered {} with something that is not JSON (HTTP {} at {}): is "
                            "this Harbor's URL?",
                            options_.label, what, response->status, path));
  }
  return json;
}

common::Result<nlohmann::json> HarborApiClient::call(std::string_view method, std::string_view path,
                                                     std::string_view what,
                                                     const std::optional<nlohmann::json>& body) {
  const auto full = std::string(kApiPrefix) + std::string(path);
  return send(method, endpoint_.url + full, full, what, body, nullptr);
}

common::Result<std::vector<nlohmann::json>> HarborApiClient::list(std::string_view path,
                                                                  std::string_view what) {
  std::vector<nlohmann::json> items;
  const auto first = std::string(kApiPrefix) + std::string(path);
  std::string next = endpoint_.url + with_page(first, options_.page_size);
  for (std::size_t page = 0; page < kMaxPages && !next.empty(); ++page) {
    const std::string url = std::move(next);
    auto answer = send("GET", url, first, what, std::nullopt, &next);
    if (!answer) return fail(std::move(answer.error()));
    if (answer->is_null()) continue;  // an empty body: no items
    if (!answer->is_array()) {
      return fail(ErrorCode::kUnavailable,
                  fmt::format("{} answered {} with something that is not a list (at {})",
                              options_.label, what, first));
    }
    for (auto& item : *answer) {
      if (items.size() == options_.max_list_items) {
        return fail(ErrorCode::kTooLarge,
                    fmt::format("{} lists more than {} items in {}", options_.label,
                                options_.max_list_items, what));
      }
      items.push_back(std::move(item));
    }
  }
  return items;
}

}  // namespace groundcontrol::registry
