// UpstreamClient: the satellite's view of the upstream OCI registry: manifests and blobs
// by digest from `/v2/<repository>/...` over one HttpClient, with the upstream's
// authentication (anonymous, basic, or the registry token flow: a 401 with a Bearer
// challenge sends it to the realm, with the basic credentials when there are any, and the
// request is retried once with the token; tokens are cached per scope until they expire on
// the injected clock). Statuses become errors a person can act on: 404 kNotFound naming
// the digest and repository, 401/403 kPermissionDenied, 429 kTooManyRequests, anything
// else kUnavailable; transport errors are the HttpClient's.
// configure() swaps the upstream (URL, credentials, TLS) while requests run: each request
// uses the upstream it started with. Secrets and tokens never appear in errors or logs.
// Thread-safety: every call from any thread; requests block (see HttpClient).
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "common/clock.hpp"
#include "common/digest.hpp"
#include "common/http/client_options.hpp"
#include "common/http/client_request.hpp"
#include "common/http/client_response.hpp"
#include "common/http/http_client.hpp"
#include "common/result.hpp"
#include "satellite/replication/upstream_config.hpp"

namespace satellite::replication {

struct FetchedManifest {
  std::string content;     // verified: hashes to the digest asked for
  std::string media_type;  // the Content-Type, without parameters
};

class UpstreamClient {
 public:
  // `base` gives every HttpClient knob but the upstream's own TLS trust; `clock` (token
  // expiry) must outlive the client. No upstream until configure().
  UpstreamClient(common::http::ClientOptions base, const common::Clock& clock)
      : base_(std::move(base)), clock_(clock) {}

  // Uses `config` for the requests that start from now on and forgets cached tokens.
  // kInvalidArgument for a URL that is not http(s):// or a missing CA file; the error is
  // also what later requests return until a good config comes.
  common::Status configure(UpstreamConfig config);

  // The manifest `digest` of `repository`, verified against the digest (kDigestInvalid
  // otherwise); errors as in the header.
  [[nodiscard]] common::Result<FetchedManifest> get_manifest(std::string_view repository,
                                                             const common::Digest& digest);
  // The digest the upstream's tag names now (HEAD, Docker-Content-Digest); errors as in the
  // header. The manifest itself is then fetched, and verified, by digest.
  [[nodiscard]] common::Result<common::Digest> resolve_tag(std::string_view repository,
                                                           std::string_view tag);
  // Streams blob `digest` into `sink` from `resume_from` on. Returns the 2xx response: 206
  // when the range was honoured, 200 with nothing sent to the sink when the upstream
  // ignored it (start again from 0). Errors as in the header, or the sink's.
  [[nodiscard]] common::Result<common::http::ClientResponse> get_blob(
      std::string_view repository, const common::Digest& digest,
      std::optional<std::uint64_t> resume_from, const common::http::BodySink& sink);

 private:
  struct Upstream {
    UpstreamConfig config;
    std::unique_ptr<common::http::HttpClient> client;  // null when `error` is set
    std::optional<common::Error> error;
  };
  struct CachedToken {
    std::string token;
    std::chrono::steady_clock::time_point expires;
  };
  std::shared_ptr<const Upstream> current() const;
  // GET `path` with the upstream's auth, answering one Bearer challenge; any status.
  [[nodiscard]] common::Result<common::http::ClientResponse> send(
      const Upstream& upstream, std::string_view repository, common::http::ClientRequest request,
      const common::http::BodySink* sink);
  // A token for `scope` from the challenge's realm; kPermissionDenied when refused.
  [[nodiscard]] common::Result<std::string> fetch_token(const Upstream& upstream,
                                                        std::string_view challenge_header,
                                                        const std::string& scope);
  std::optional<std::string> cached_token(const std::string& scope);

  const common::http::ClientOptions base_;
  const common::Clock& clock_;
  mutable std::mutex mutex_;  // guards upstream_ and tokens_
  std::shared_ptr<const Upstream> upstream_;
  std::map<std::string, CachedToken> tokens_;  // by scope
};

}  // namespace satellite::replication
