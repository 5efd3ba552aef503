#include "common/oci/registry_client.hpp"

#include <fmt/format.h>

#include <cctype>
#include <nlohmann/json.hpp>

#include "common/crypto/base64.hpp"
#include "common/crypto/hasher.hpp"
#include "common/oci/bearer_challenge.hpp"
#include "common/oci/link_header.hpp"
#include "common/oci/media_types.hpp"

namespace common::oci {
namespace {

using http::ClientRequest;
using http::ClientResponse;

// A token is dropped this long before the registry says it expires, so a request never
// reaches the registry with a token about to lapse on the way.
constexpr std::chrono::seconds kTokenMargin{10};
// Pages of one list followed at most: a registry whose `next` links loop ends here.
constexpr std::size_t kMaxPages = 10'000;

std::string percent_encode(std::string_view text) {
  std::string out;
  for (const unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += fmt::format("%{:02X}", c);
    }
  }
  return out;
}

void set_authorization(ClientRequest& request, std::string value) {
  std::erase_if(request.headers, [](const auto& field) { return field.first == "Authorization"; });
  request.headers.emplace_back("Authorization", std::move(value));
}

std::optional<std::string> basic_authorization(const RegistryEndpoint& endpoint) {
  if (endpoint.username.empty()) return std::nullopt;
  return "Basic " + crypto::base64_encode(endpoint.username + ":" + endpoint.password);
}

std::string without_parameters(std::string_view content_type) {
  const auto semicolon = content_type.find(';');
  auto type = content_type.substr(0, semicolon);
  while (!type.empty() && type.back() == ' ') type.remove_suffix(1);
  return std::string(type);
}

std::string manifest_accept() {
  return fmt::format("{}, {}, {}, {}", media_type::kOciManifest, media_type::kOciIndex,
                     media_type::kDockerManifest, media_type::kDockerManifestList);
}

bool is_success(int status) {
  return status >= 200 && status < 300;
}

}  // namespace

std::string pull_scope(std::string_view repository) {
  return fmt::format("repository:{}:pull", repository);
}

std::string push_scope(std::string_view repository) {
  return fmt::format("repository:{}:pull,push", repository);
}

Result<std::unique_ptr<RegistryClient>> RegistryClient::create(RegistryEndpoint endpoint,
                                                               RegistryClientOptions options,
                                                               const Clock& clock) {
  while (!endpoint.url.empty() && endpoint.url.back() == '/') endpoint.url.pop_back();
  if (!endpoint.url.starts_with("http://") && !endpoint.url.starts_with("https://")) {
    return fail(
        ErrorCode::kInvalidArgument,
        "the registry URL must start with http:// or https://, not \"" + endpoint.url + "\"");
  }
  if (options.page_size == 0) options.page_size = 100;
  auto http_options = options.http;
  http_options.ca_file = endpoint.ca_file;
  http_options.ca_pem = endpoint.ca_pem;
  http_options.insecure_skip_verify = endpoint.insecure_skip_verify;
  auto http = http::HttpClient::create(std::move(http_options));
  if (!http) return fail(std::move(http.error()));
  return std::unique_ptr<RegistryClient>(
      new RegistryClient(std::move(endpoint), std::move(options), clock, std::move(*http)));
}

Error RegistryClient::status_error(int status, std::string_view what,
                                   std::string_view repository) const {
  const std::string where =
      repository.empty() ? options_.label : fmt::format("{} on {}", repository, options_.label);
  if (status == 404) return {ErrorCode::kNotFound, fmt::format("{} not found in {}", what, where)};
  if (status == 401 || status == 403) {
    return {ErrorCode::kPermissionDenied,
            fmt::format("{} refused access to {} in {} (HTTP {}): check the credentials",
                        options_.label, what, where, status)};
  }
  if (status == 429) {
    return {ErrorCode::kTooManyRequests,
            fmt::format("{} is rate-limiting requests for {} in {}", options_.label, what, where)};
  }
  return {ErrorCode::kUnavailable,
          fmt::format("{} answered HTTP {} for {} in {}", options_.label, status, what, where)};
}

std::optional<std::string> RegistryClient::cached_token(const std::string& scope) {
  const std::lock_guard lock(mutex_);
  const auto it = tokens_.find(scope);
  if (it == tokens_.end()) return std::nullopt;
  if (clock_.steady_now() >= it->second.expires) {
    tokens_.erase(it);
    return std::nullopt;
  }
  return it->second.token;
}

Result<std::string> RegistryClient::fetch_token(std::string_view challenge_header,
                                                const std::string& scope) {
  const auto challenge = parse_bearer_challenge(challenge_header);
  if (!challenge) return fail(ErrorCode::kPermissionDenied, "no Bearer challenge");
  const std::string wanted = challenge->scope.empty() ? scope : challenge->scope;
  ClientRequest request;
  request.url = challenge->realm;
  std::string query;
  if (!challenge->service.empty()) query += "service=" + percent_encode(challenge->service);
  if (!wanted.empty()) query += (query.empty() ? "" : "&") + ("scope=" + percent_encode(wanted));
  if (!query.empty())
    request.url += (request.url.find('?') == std::string::npos ? "?" : "&") + query;
  if (auto basic = basic_authorization(endpoint_)) set_authorization(request, *basic);
  auto response = http_->request(request);
  if (!response) return fail(std::move(response.error()));
  if (response->status != 200) {
    return fail(
        ErrorCode::kPermissionDenied,
        fmt::format("the token service of {} refused a token{} (HTTP {}): check the "
                    "credentials",
                    options_.label, wanted.empty() ? "" : " for " + wanted, response->status));
  }
  auto grant = parse_token_response(response->body);
  if (!grant) return fail(std::move(grant.error()));
  const auto lifetime = std::max(std::chrono::seconds(0), grant->expires_in - kTokenMargin);
  {
    const std::lock_guard lock(mutex_);
    tokens_[scope] = CachedToken{grant->token, clock_.steady_now() + lifetime};
  }
  return std::move(grant->token);
}

Result<ClientResponse> RegistryClient::send(ClientRequest request, const std::string& scope,
                                            const http::BodySink* sink) {
  if (auto token = cached_token(scope)) {
    set_authorization(request, "Bearer " + *token);
  } else if (auto basic = basic_authorization(endpoint_)) {
    set_authorization(request, *basic);
  }
  auto perform = [&]() {
    return sink != nullptr ? http_->request(request, *sink) : http_->request(request);
  };
  auto response = perform();
  if (!response || response->status != 401) return response;
  for (const auto challenge : response->headers.get_all("WWW-Authenticate")) {
    if (!parse_bearer_challenge(challenge)) continue;
    auto token = fetch_token(challenge, scope);
    if (!token) return fail(std::move(token.error()));
    set_authorization(request, "Bearer " + *token);
    return perform();  // a 401 body is buffered, so the sink has seen nothing yet
  }
  return response;
}

Status RegistryClient::check() {
  ClientRequest request;
  request.url = url("/v2/");
  auto response = send(std::move(request), "");
  if (!response) return fail(std::move(response.error()));
  if (response->status == 200) return {};
  if (response->status == 401 || response->status == 403) {
    return fail(ErrorCode::kPermissionDenied,
                fmt::format("{} refused the credentials (HTTP {} at /v2/)", options_.label,
                            response->status));
  }
  return fail(ErrorCode::kUnavailable,
              fmt::format("{} does not answer as an OCI registry (HTTP {} at /v2/)", options_.label,
                          response->status));
}

Result<std::vector<std::string>> RegistryClient::list_names(std::string path,
                                                            const std::string& field,
                                                            const std::string& scope,
                                                            std::string_view what,
                                                            std::string_view repository) {
  std::vector<std::string> names;
  std::string next = url(path) + fmt::format("?n={}", options_.page_size);
  for (std::size_t page = 0; page < kMaxPages && !next.empty(); ++page) {
    ClientRequest request;
    request.url = next;
    auto response = send(std::move(request), scope);
    if (!response) return fail(std::move(response.error()));
    if (repository.empty() && (response->status == 404 || response->status == 405)) {
      return fail(ErrorCode::kUnsupported,
                  fmt::format("{} does not offer the catalog (HTTP {} at {})", options_.label,
                              response->status, path));
    }
    if (response->status != 200) return fail(status_error(response->status, what, repository));
    const auto body = nlohmann::json::parse(response->body, nullptr, false);
    if (!body.is_object()) {
      return fail(
          ErrorCode::kUnavailable,
          fmt::format("{} answered {} with something that is not JSON", options_.label, what));
    }
    const auto list = body.find(field);
    if (list != body.end() && !list->is_null()) {
      if (!list->is_array()) {
        return fail(ErrorCode::kUnavailable, fmt::format("{} answered {} without a \"{}\" list",
                                                         options_.label, what, field));
      }
      for (const auto& name : *list) {
        if (!name.is_string()) {
          return fail(
              ErrorCode::kUnavailable,
              fmt::format("{} answered {} with a name that is not a string", options_.label, what));
        }
        if (names.size() == options_.max_list_items) {
          return fail(ErrorCode::kTooLarge, fmt::format("{} lists more than {} {}", options_.label,
                                                        options_.max_list_items, what));
        }
        names.push_back(name.get<std::string>());
      }
    }
    next.clear();
    if (auto link = response->headers.get("Link")) {
      if (auto target = next_link(*link)) {
        auto resolved = resolve_same_origin(endpoint_.url, *target);
        if (!resolved) {
          return fail(ErrorCode::kUnavailable,
                      fmt::format("{} pages {} onto another host: refused", options_.label, what));
        }
        next = std::move(*resolved);
      }
    }
  }
  return names;
}

Result<std::vector<std::string>> RegistryClient::list_repositories() {
  return list_names("/v2/_catalog", "repositories", "registry:catalog:*", "the catalog", "");
}

Result<std::vector<std::string>> RegistryClient::list_tags(std::string_view repository) {
  return list_names(fmt::format("/v2/{}/tags/list", repository), "tags", pull_scope(repository),
                    "the tags", repository);
}

Result<ClientResponse> RegistryClient::request_manifest(std::string_view method,
                                                        std::string_view repository,
                                                        std::string_view reference) {
  ClientRequest request;
  request.method = std::string(method);
  request.url = url(fmt::format("/v2/{}/manifests/{}", repository, reference));
  request.headers.emplace_back("Accept", manifest_accept());
  auto response = send(std::move(request), pull_scope(repository));
  if (!response) return fail(std::move(response.error()));
  if (response->status != 200) {
    return fail(status_error(response->status, fmt::format("manifest {}", reference), repository));
  }
  return response;
}

Result<ManifestHead> RegistryClient::head_manifest(std::string_view repository,
                                                   std::string_view reference) {
  auto response = request_manifest("HEAD", repository, reference);
  if (!response) return fail(std::move(response.error()));
  const std::string what = fmt::format("manifest {}", reference);
  auto digest = Digest::parse(response->headers.get("Docker-Content-Digest").value_or(""));
  if (!digest) {
    return fail(ErrorCode::kUnavailable, fmt::format("{} of {} on {}: no Docker-Content-Digest",
                                                     what, repository, options_.label));
  }
  std::uint64_t size = 0;
  if (auto length = response->headers.get("Content-Length")) {
    size = std::strtoull(std::string(*length).c_str(), nullptr, 10);
  }
  ManifestHead head{std::move(*digest),
                    without_parameters(response->headers.get("Content-Type").value_or("")), size};
  return head;
}

Result<FetchedManifest> RegistryClient::get_manifest(std::string_view repository,
                                                     std::string_view reference) {
  auto response = request_manifest("GET", repository, reference);
  if (!response) return fail(std::move(response.error()));
  const std::string what = fmt::format("manifest {}", reference);
  if (response->body.size() > options_.max_manifest_bytes) {
    return fail(ErrorCode::kTooLarge,
                fmt::format("{} of {} on {} is larger than {} bytes", what, repository,
                            options_.label, options_.max_manifest_bytes));
  }
  // By digest, the reference is the claim; by tag, the registry's header (when sent).
  auto claimed = Digest::parse(reference);
  if (!claimed)
    claimed = Digest::parse(response->headers.get("Docker-Content-Digest").value_or(""));
  const auto actual = claimed ? crypto::digest_of(response->body, claimed->algorithm())
                              : crypto::digest_of(response->body);
  if (claimed && actual != *claimed) {
    return fail(ErrorCode::kDigestInvalid,
                fmt::format("{} from {} on {} hashes to {}, not {}: refused", what, repository,
                            options_.label, actual.str(), claimed->str()));
  }
  FetchedManifest manifest{std::move(response->body),
                           without_parameters(response->headers.get("Content-Type").value_or("")),
                           actual};
  // A server that labels manifests generically (a static file server, a CDN) leaves the
  // type to the manifest's own mediaType field.
  if (!media_type::is_manifest(manifest.media_type)) manifest.media_type.clear();
  return manifest;
}

Result<ClientResponse> RegistryClient::get_blob(std::string_view repository, const Digest& digest,
                                                std::optional<std::uint64_t> resume_from,
                                                const http::BodySink& sink) {
  ClientRequest request;
  request.url = url(fmt::format("/v2/{}/blobs/{}", repository, digest.str()));
  request.resume_from = resume_from;
  auto response = send(std::move(request), pull_scope(repository), &sink);
  if (!response) return fail(std::move(response.error()));
  if (!is_success(response->status)) {
    return fail(status_error(response->status, "blob " + digest.str(), repository));
  }
  return response;
}

Result<std::string> RegistryClient::get_blob_content(std::string_view repository,
                                                     const Digest& digest, std::size_t max_bytes) {
  std::string content;
  const http::BodySink sink = [&](std::string_view chunk) -> Status {
    if (content.size() + chunk.size() > max_bytes) {
      return fail(ErrorCode::kTooLarge,
                  fmt::format("blob {} of {} on {} is larger than {} bytes", digest.str(),
                              repository, options_.label, max_bytes));
    }
    content.append(chunk);
    return {};
  };
  auto response = get_blob(repository, digest, std::nullopt, sink);
  if (!response) return fail(std::move(response.error()));
  const auto actual = crypto::digest_of(content, digest.algorithm());
  if (actual != digest) {
    return fail(ErrorCode::kDigestInvalid,
                fmt::format("blob {} from {} on {} hashes to {}: refused", digest.str(), repository,
                            options_.label, actual.str()));
  }
  return content;
}

Result<std::vector<Descriptor>> RegistryClient::referrers(std::string_view repository,
                                                          const Digest& digest) {
  ClientRequest request;
  request.url = url(fmt::format("/v2/{}/referrers/{}", repository, digest.str()));
  request.headers.emplace_back("Accept", std::string(media_type::kOciIndex));
  auto response = send(std::move(request), pull_scope(repository));
  if (!response) return fail(std::move(response.error()));
  std::string index;
  if (response->status == 200) {
    index = std::move(response->body);
  } else if (response->status == 404) {
    // The referrers tag schema of distribution-spec 1.1 for registries without the API.
    auto fallback =
        get_manifest(repository, std::string(digest.algorithm_name()) + "-" + digest.hex());
    if (!fallback && fallback.error().code() == ErrorCode::kNotFound) {
      return std::vector<Descriptor>{};
    }
    if (!fallback) return fail(std::move(fallback.error()));
    index = std::move(fallback->content);
  } else {
    return fail(status_error(response->status, "the referrers of " + digest.str(), repository));
  }
  auto parsed = parse_manifest(index, media_type::kOciIndex);
  if (!parsed || !parsed->is_index) {
    return fail(ErrorCode::kUnavailable,
                fmt::format("{} answered the referrers of {} in {} with something that is not "
                            "an image index",
                            options_.label, digest.str(), repository));
  }
  return std::move(parsed->manifests);
}

Result<bool> RegistryClient::has_blob(std::string_view repository, const Digest& digest) {
  ClientRequest request;
  request.method = "HEAD";
  request.url = url(fmt::format("/v2/{}/blobs/{}", repository, digest.str()));
  auto response = send(std::move(request), pull_scope(repository));
  if (!response) return fail(std::move(response.error()));
  if (response->status == 200) return true;
  if (response->status == 404) return false;
  return fail(status_error(response->status, "blob " + digest.str(), repository));
}

Status RegistryClient::push_blob(std::string_view repository, const Digest& digest,
                                 std::string_view content) {
  if (crypto::digest_of(content, digest.algorithm()) != digest) {
    return fail(ErrorCode::kInvalidArgument,
                fmt::format("the content to push does not hash to {}", digest.str()));
  }
  const std::string scope = push_scope(repository);
  const std::string what = "blob " + digest.str();
  {
    ClientRequest head;
    head.method = "HEAD";
    head.url = url(fmt::format("/v2/{}/blobs/{}", repository, digest.str()));
    auto response = send(std::move(head), pull_scope(repository));  // a read: pull's token
    if (!response) return fail(std::move(response.error()));
    if (response->status == 200) return {};
  }
  ClientRequest start;
  start.method = "POST";
  start.url = url(fmt::format("/v2/{}/blobs/uploads/", repository));
  start.body = "";
  auto started = send(std::move(start), scope);
  if (!started) return fail(std::move(started.error()));
  if (started->status != 202) return fail(status_error(started->status, what, repository));
  const auto location = started->headers.get("Location");
  auto upload_url =
      location ? resolve_same_origin(endpoint_.url, *location) : std::optional<std::string>{};
  if (!upload_url) {
    return fail(
        ErrorCode::kUnavailable,
        fmt::format("{} started an upload of {} without a usable Location", options_.label, what));
  }
  ClientRequest finish;
  finish.method = "PUT";
  finish.url = *upload_url + (upload_url->find('?') == std::string::npos ? "?" : "&") +
               "digest=" + percent_encode(digest.str());
  finish.headers.emplace_back("Content-Type", "application/octet-stream");
  finish.body = std::string(content);
  auto finished = send(std::move(finish), scope);
  if (!finished) return fail(std::move(finished.error()));
  if (finished->status != 201) return fail(status_error(finished->status, what, repository));
  return {};
}

Result<Digest> RegistryClient::push_manifest(std::string_view repository,
                                             std::string_view reference,
                                             std::string_view media_type,
                                             std::string_view content) {
  ClientRequest request;
  request.method = "PUT";
  request.url = url(fmt::format("/v2/{}/manifests/{}", repository, reference));
  request.headers.emplace_back("Content-Type", std::string(media_type));
  request.body = std::string(content);
  auto response = send(std::move(request), push_scope(repository));
  if (!response) return fail(std::move(response.error()));
  if (response->status != 201) {
    return fail(status_error(response->status, fmt::format("manifest {}", reference), repository));
  }
  const auto digest = crypto::digest_of(content);
  if (auto sent = Digest::parse(response->headers.get("Docker-Content-Digest").value_or(""));
      sent && *sent != digest) {
    return fail(ErrorCode::kDigestInvalid,
                fmt::format("{} stored manifest {} of {} as {}, not {}", options_.label, reference,
                            repository, sent->str(), digest.str()));
  }
  return digest;
}

Status RegistryClient::delete_manifest(std::string_view repository, const Digest& digest) {
  ClientRequest request;
  request.method = "DELETE";
  request.url = url(fmt::format("/v2/{}/manifests/{}", repository, digest.str()));
  auto response = send(std::move(request), push_scope(repository));
  if (!response) return fail(std::move(response.error()));
  if (response->status == 202 || response->status == 200) return {};
  if (response->status == 405) {
    return fail(ErrorCode::kUnsupported,
                fmt::format("{} does not allow deleting manifests", options_.label));
  }
  return fail(status_error(response->status, "manifest " + digest.str(), repository));
}

}  // namespace common::oci
