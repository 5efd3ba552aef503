// HarborApiClient: the small client of Harbor's REST API `/api/v2.0` that
// HarborRegistryAdapter and HarborRobotAccounts share. It sends one call with the
// endpoint's HTTP basic credentials (or none), reads JSON answers, pages lists
// (`page`/`page_size`, following `Link: <...>; rel="next"` on the same origin, at most
// max_list_items items in all), and turns Harbor's answers into errors a person can act on:
//   401           kPermissionDenied "... refused the credentials ...: check the credentials"
//   403           kPermissionDenied "... the credentials lack the permission for ..."
//   404           kNotFound naming what was asked for
//   409           kAlreadyExists;  400/422 kInvalidArgument;  429 kTooManyRequests
//   5xx, any other status, or an answer that is not the JSON Harbor promises:
//                 kUnavailable naming the endpoint (`label`) and the path
// Harbor's error envelope {"errors":[{"code","message"}]} adds its first message to the
// error. Transport errors are the HttpClient's, prefixed with the label. Credentials never
// appear in errors (HttpClient strips them from URLs, and this client never prints them).
//
// Fixed once made (make a new one when the endpoint changes). Thread-safety: every call
// from any thread; calls block (see HttpClient), so call from a blocking pool.
#pragma once

#include <cstddef>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/http/client_options.hpp"
#include "common/http/http_client.hpp"
#include "common/oci/registry_client.hpp"
#include "common/result.hpp"

namespace groundcontrol::registry {

struct HarborApiClientOptions {
  common::http::ClientOptions http;      // every HttpClient knob but the endpoint's TLS trust
  std::string label;                     // names Harbor in errors; empty: "Harbor at <url>"
  std::size_t page_size = 100;           // items asked for per page (Harbor allows 1..100)
  std::size_t max_list_items = 100'000;  // a longer list is refused (kTooLarge)
};

class HarborApiClient {
 public:
  // kInvalidArgument for a URL that is not http(s):// or a TLS file that does not exist.
  [[nodiscard]] static common::Result<std::unique_ptr<HarborApiClient>> create(
      common::oci::RegistryEndpoint endpoint, HarborApiClientOptions options);

  const common::oci::RegistryEndpoint& endpoint() const noexcept { return endpoint_; }
  const std::string& label() const noexcept { return options_.label; }

  // One call of `method` on `path` (under /api/v2.0, with its query: "/projects?x=1") with
  // `body` as JSON when given. Returns the JSON answer of a 2xx status (null for an empty
  // body); errors as in the header, `what` ("the projects") naming the subject.
  [[nodiscard]] common::Result<nlohmann::json> call(std::string_view method, std::string_view path,
                                                    std::string_view what,
                                                    const std::optional<nlohmann::json>& body = {});
  // Every item of the paged list at `path` (a query may be given; page and page_size are
  // added), in Harbor's order. kTooLarge past max_list_items; kUnavailable for a page that
  // is not a JSON array or a `next` link onto another host.
  [[nodiscard]] common::Result<std::vector<nlohmann::json>> list(std::string_view path,
                                                                 std::string_view what);

  HarborApiClient(const HarborApiClient&) = delete;
  HarborApiClient& operator=(const HarborApiClient&) = delete;

 private:
  HarborApiClient(common::oci::RegistryEndpoint endpoint, HarborApiClientOptions options,
                  std::unique_ptr<common::http::HttpClient> http)
      : endpoint_(std::move(endpoint)), options_(std::move(options)), http_(std::move(http)) {}

  // Sends to the absolute `url`; the parsed 2xx answer or the error for any other.
  [[nodiscard]] common::Result<nlohmann::json> send(std::string_view method, const std::string& url,
                                                    std::string_view path, std::string_view what,
                                                    const std::optional<nlohmann::json>& body,
                                                    std::string* next_page);
  common::Error status_error(int status, const std::string& body, std::string_view path,
                             std::string_view what) const;

  const common::oci::RegistryEndpoint endpoint_;
  const HarborApiClientOptions options_;
  const std::unique_ptr<common::http::HttpClient> http_;
};

// The path segment Harbor wants for the repository part of a name (what follows
// "<project>/"): encoded twice, so "team/app" is sent as "team%252Fapp" (Harbor's swagger:
// "If it contains slash, encode it twice over with URL encoding").
[[nodiscard]] std::string harbor_repository_segment(std::string_view repository);

}  // namespace groundcontrol::registry
