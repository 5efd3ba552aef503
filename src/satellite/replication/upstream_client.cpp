#include "satellite/replication/upstream_client.hpp"

#include <fmt/format.h>

#include <cctype>

#include "common/crypto/base64.hpp"
#include "common/crypto/hasher.hpp"
#include "common/oci/media_types.hpp"
#include "satellite/replication/auth_challenge.hpp"

namespace satellite::replication {
namespace {

namespace media_type = common::oci::media_type;
using common::ErrorCode;
using common::http::ClientRequest;
using common::http::ClientResponse;

// A token is dropped this long before the upstream says it expires, so a request never
// reaches the upstream with a token about to lapse on the way.
constexpr std::chrono::seconds kTokenMargin{10};

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

std::optional<std::string> basic_authorization(const UpstreamConfig& config) {
  if (config.username.empty()) return std::nullopt;
  return "Basic " + common::crypto::base64_encode(config.username + ":" + config.password);
}

// The error a person reads for a non-2xx answer about `what` ("manifest sha256:...").
common::Error status_error(int status, std::string_view what, std::string_view repository) {
  if (status == 404) {
    return {ErrorCode::kNotFound, fmt::format("{} not found in {} upstream", what, repository)};
  }
  if (status == 401 || status == 403) {
    return {ErrorCode::kPermissionDenied,
            fmt::format("the upstream refused access to {} in {} (HTTP {}): check the "
                        "credentials",
                        what, repository, status)};
  }
  if (status == 429) {
    return {ErrorCode::kTooManyRequests,
            fmt::format("the upstream is rate-limiting requests for {} in {}", what, repository)};
  }
  return {ErrorCode::kUnavailable,
          fmt::format("the upstream answered HTTP {} for {} in {}", status, what, repository)};
}

std::string without_parameters(std::string_view content_type) {
  const auto semicolon = content_type.find(';');
  auto type = content_type.substr(0, semicolon);
  while (!type.empty() && type.back() == ' ') type.remove_suffix(1);
  return std::string(type);
}

}  // namespace

common::Status UpstreamClient::configure(UpstreamConfig config) {
  auto upstream = std::make_shared<Upstream>();
  while (!config.url.empty() && config.url.back() == '/') config.url.pop_back();
  if (!config.url.starts_with("http://") && !config.url.starts_with("https://")) {
    upstream->error = common::Error(
        ErrorCode::kInvalidArgument,
        "the upstream URL must start with http:// or https://, not \"" + config.url + "\"");
  } else {
    auto options = base_;
    options.ca_file = config.ca_file;
    options.insecure_skip_verify = config.insecure_skip_verify;
    auto client = common::http::HttpClient::create(std::move(options));
    if (client) {
      upstream->client = std::move(*client);
    } else {
      upstream->error = client.error();
    }
  }
  upstream->config = std::move(config);
  std::optional<common::Error> error = upstream->error;
  {
    const std::lock_guard lock(mutex_);
    upstream_ = std::move(upstream);
    tokens_.clear();
  }
  if (error) return common::fail(std::move(*error));
  return {};
}

std::shared_ptr<const UpstreamClient::Upstream> UpstreamClient::current() const {
  const std::lock_guard lock(mutex_);
  return upstream_;
}

std::optional<std::string> UpstreamClient::cached_token(const std::string& scope) {
  const std::lock_guard lock(mutex_);
  const auto it = tokens_.find(scope);
  if (it == tokens_.end()) return std::nullopt;
  if (clock_.steady_now() >= it->second.expires) {
    tokens_.erase(it);
    return std::nullopt;
  }
  return it->second.token;
}

common::Result<std::string> UpstreamClient::fetch_token(const Upstream& upstream,
                                                        std::string_view challenge_header,
                                                        const std::string& scope) {
  const auto challenge = parse_bearer_challenge(challenge_header);
  if (!challenge) return common::fail(ErrorCode::kPermissionDenied, "no Bearer challenge");
  const std::string wanted = challenge->scope.empty() ? scope : challenge->scope;
  ClientRequest request;
  request.url = challenge->realm + (challenge->realm.find('?') == std::string::npos ? "?" : "&");
  if (!challenge->service.empty())
    request.url += "service=" + percent_encode(challenge->service) + "&";
  request.url += "scope=" + percent_encode(wanted);
  if (auto basic = basic_authorization(upstream.config)) set_authorization(request, *basic);
  auto response = upstream.client->request(request);
  if (!response) return common::fail(std::move(response.error()));
  if (response->status != 200) {
    return common::fail(ErrorCode::kPermissionDenied,
                        fmt::format("the upstream's token service refused a token for {} "
                                    "(HTTP {}): check the credentials",
                                    wanted, response->status));
  }
  auto grant = parse_token_response(response->body);
  if (!grant) return common::fail(std::move(grant.error()));
  const auto lifetime = std::max(std::chrono::seconds(0), grant->expires_in - kTokenMargin);
  {
    const std::lock_guard lock(mutex_);
    tokens_[scope] = CachedToken{grant->token, clock_.steady_now() + lifetime};
  }
  return std::move(grant->token);
}

common::Result<ClientResponse> UpstreamClient::send(const Upstream& upstream,
                                                    std::string_view repository,
                                                    ClientRequest request,
                                                    const common::http::BodySink* sink) {
  const std::string scope = "repository:" + std::string(repository) + ":pull";
  if (auto token = cached_token(scope)) {
    set_authorization(request, "Bearer " + *token);
  } else if (auto basic = basic_authorization(upstream.config)) {
    set_authorization(request, *basic);
  }
  auto perform = [&]() {
    return sink != nullptr ? upstream.client->request(request, *sink)
                           : upstream.client->request(request);
  };
  auto response = perform();
  if (!response || response->status != 401) return response;
  for (const auto challenge : response->headers.get_all("WWW-Authenticate")) {
    if (!parse_bearer_challenge(challenge)) continue;
    auto token = fetch_token(upstream, challenge, scope);
    if (!token) return common::fail(std::move(token.error()));
    set_authorization(request, "Bearer " + *token);
    return perform();  // a 401 body is buffered, so the sink has seen nothing yet
  }
  return response;
}

common::Result<FetchedManifest> UpstreamClient::get_manifest(std::string_view repository,
                                                             const common::Digest& digest) {
  const auto upstream = current();
  if (!upstream) return common::fail(ErrorCode::kUnavailable, "no upstream registry configured");
  if (upstream->error) return common::fail(*upstream->error);
  ClientRequest request;
  request.url =
      fmt::format("{}/v2/{}/manifests/{}", upstream->config.url, repository, digest.str());
  request.headers.emplace_back(
      "Accept", fmt::format("{}, {}, {}, {}", media_type::kOciManifest, media_type::kOciIndex,
                            media_type::kDockerManifest, media_type::kDockerManifestList));
  auto response = send(*upstream, repository, std::move(request), nullptr);
  if (!response) return common::fail(std::move(response.error()));
  const std::string what = "manifest " + digest.str();
  if (response->status != 200)
    return common::fail(status_error(response->status, what, repository));
  const auto actual = common::crypto::digest_of(response->body, digest.algorithm());
  if (actual != digest) {
    return common::fail(
        ErrorCode::kDigestInvalid,
        fmt::format("{} from {} upstream hashes to {}: refused", what, repository, actual.str()));
  }
  FetchedManifest manifest;
  manifest.content = std::move(response->body);
  manifest.media_type = without_parameters(response->headers.get("Content-Type").value_or(""));
  // A server that labels manifests generically (a static file server, a CDN) leaves the
  // type to the manifest's own mediaType field.
  if (!media_type::is_manifest(manifest.media_type)) manifest.media_type.clear();
  return manifest;
}

common::Result<common::Digest> UpstreamClient::resolve_tag(std::string_view repository,
                                                           std::string_view tag) {
  const auto upstream = current();
  if (!upstream) return common::fail(ErrorCode::kUnavailable, "no upstream registry configured");
  if (upstream->error) return common::fail(*upstream->error);
  ClientRequest request;
  request.method = "HEAD";
  request.url = fmt::format("{}/v2/{}/manifests/{}", upstream->config.url, repository, tag);
  request.headers.emplace_back(
      "Accept", fmt::format("{}, {}, {}, {}", media_type::kOciManifest, media_type::kOciIndex,
                            media_type::kDockerManifest, media_type::kDockerManifestList));
  auto response = send(*upstream, repository, std::move(request), nullptr);
  if (!response) return common::fail(std::move(response.error()));
  const std::string what = "tag " + std::string(tag);
  if (response->status != 200)
    return common::fail(status_error(response->status, what, repository));
  auto digest = common::Digest::parse(response->headers.get("Docker-Content-Digest").value_or(""));
  if (!digest)
    return common::fail(
        ErrorCode::kUnavailable,
        fmt::format("{} of {} upstream: no Docker-Content-Digest", what, repository));
  return digest;
}

common::Result<ClientResponse> UpstreamClient::get_blob(std::string_view repository,
                                                        const common::Digest& digest,
                                                        std::optional<std::uint64_t> resume_from,
                                                        const common::http::BodySink& sink) {
  const auto upstream = current();
  if (!upstream) return common::fail(ErrorCode::kUnavailable, "no upstream registry configured");
  if (upstream->error) return common::fail(*upstream->error);
  ClientRequest request;
  request.url = fmt::format("{}/v2/{}/blobs/{}", upstream->config.url, repository, digest.str());
  request.resume_from = resume_from;
  auto response = send(*upstream, repository, std::move(request), &sink);
  if (!response) return common::fail(std::move(response.error()));
  if (response->status < 200 || response->status >= 300) {
    return common::fail(status_error(response->status, "blob " + digest.str(), repository));
  }
  return response;
}

}  // namespace satellite::replication
