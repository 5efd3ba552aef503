// ManagementClient: gcctl's only way to ground control, its management API over HTTPS
// (common::http::HttpClient) with the context's bearer token and trust (CA file, pinned CA
// or none). Every failure comes back as one common::Error whose message is the line gcctl
// prints: an API error envelope {"error": {"code", "message"}} keeps the server's message
// and gets the code of its HTTP status; a transport failure (no connection, untrusted
// certificate, a stalled transfer) is kUnavailable naming the server. Thread-safety: one
// command's client, used from one thread.
#pragma once

#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "cli/context_store.hpp"
#include "common/http/http_client.hpp"
#include "common/result.hpp"

namespace cli {

using Query = std::vector<std::pair<std::string, std::string>>;

class ManagementClient {
 public:
  // A client of `context.server` trusting as the context says. kInvalidArgument when the
  // server is not an http(s) URL or the CA file does not exist.
  [[nodiscard]] static common::Result<std::unique_ptr<ManagementClient>> create(
      const Context& context);

  // Sends `method path?query` with `body` as JSON (or as `content_type`) and returns the
  // answer's JSON (null for an empty body). Errors: kInvalidArgument (400),
  // kUnauthenticated (401, with a hint to log in again), kPermissionDenied (403),
  // kNotFound (404), kConflict (409), kGone (410), kTooManyRequests (429), kUnavailable
  // (503 or transport), kInternal (any other failure).
  [[nodiscard]] common::Result<nlohmann::json> call(
      const std::string& method, const std::string& path, const Query& query = {},
      const std::optional<nlohmann::json>& body = std::nullopt,
      const std::string& content_type = "application/json");

  [[nodiscard]] common::Result<nlohmann::json> get(const std::string& path,
                                                   const Query& query = {}) {
    return call("GET", path, query);
  }

  // Sends GET path?query for a streamed answer of one JSON document per line (a watch) and
  // hands each to `on_line` as soon as its line has arrived, until the server ends the
  // stream (OK) or on_line fails (its error, the stream then dropped). Errors as call()'s;
  // a line that is not JSON is kInternal.
  [[nodiscard]] common::Status stream(
      const std::string& path, const Query& query,
      const std::function<common::Status(const nlohmann::json&)>& on_line);

  [[nodiscard]] const std::string& server() const { return server_; }

 private:
  ManagementClient(std::unique_ptr<common::http::HttpClient> http, std::string server,
                   std::string token);
  common::http::ClientRequest make_request(const std::string& method, const std::string& path,
                                           const Query& query) const;
  // A transport failure as the line gcctl prints.
  common::Error transport_error(const common::Error& error) const;
  std::unique_ptr<common::http::HttpClient> http_;
  std::string server_;
  std::string token_;
};

// `text` percent-encoded for a query value or path segment (RFC 3986 unreserved kept).
[[nodiscard]] std::string url_encode(std::string_view text);

}  // namespace cli
