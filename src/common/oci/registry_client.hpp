// RegistryClient: a client of one OCI distribution registry (distribution, zot, Harbor's
// `/v2/`, this project's satellite), for the satellite's replication and ground control's
// adapters and state artifacts. It reads repositories and tags (paged, following `Link`),
// resolves tags, fetches manifests and blobs (verified against their digests), follows
// referrers, and pushes blobs and manifests.
//
// Authentication: anonymous, HTTP basic, or the registry token flow (distribution's
// docs/spec/auth/token.md): a 401 with a Bearer challenge sends the client to the realm,
// with the basic credentials when there are any, and the request is retried once with the
// token. Tokens are cached per scope (`repository:R:pull`, `repository:R:pull,push`,
// `registry:catalog:*`) until shortly before they expire on the injected clock.
//
// Errors a person can act on, naming `label` (the satellite's "the upstream", ground
// control's endpoint): 404 kNotFound naming what and where; 401/403 kPermissionDenied
// ("check the credentials"); 429 kTooManyRequests; an answer that is not what the API
// promises (no digest header, malformed JSON, a digest mismatch) kUnavailable or
// kDigestInvalid; any other status kUnavailable; transport errors are the HttpClient's.
// Secrets and tokens never appear in errors or logs.
//
// One client per endpoint; fixed once made (make a new one when the endpoint changes).
// Thread-safety: every call from any thread; calls block (see HttpClient), so call from a
// blocking pool.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.hpp"
#include "common/digest.hpp"
#include "common/http/client_options.hpp"
#include "common/http/client_request.hpp"
#include "common/http/client_response.hpp"
#include "common/http/http_client.hpp"
#include "common/oci/manifest.hpp"
#include "common/result.hpp"

namespace common::oci {

// Where a registry is and how to authenticate there. A plain value type.
struct RegistryEndpoint {
  std::string url;                 // "https://host:port" or "http://host:port" (explicit)
  std::string username, password;  // empty username: anonymous
  bool insecure_skip_verify = false;
  std::string ca_file;  // PEM bundle; empty (and no ca_pem): the system store
  std::string ca_pem;   // PEM certificates in memory, trusted as ca_file is
};

struct RegistryClientOptions {
  http::ClientOptions http;              // every HttpClient knob but the endpoint's TLS trust
  std::string label = "the registry";    // names the registry in errors
  std::size_t page_size = 100;           // `n` asked for per page of _catalog and tags/list
  std::size_t max_list_items = 100'000;  // a list longer than this is refused (kTooLarge)
  std::size_t max_manifest_bytes = 4 * 1024 * 1024;  // as distribution's limit
};

struct FetchedManifest {
  std::string content;     // verified: hashes to `digest`
  std::string media_type;  // the Content-Type without parameters; empty when generic
  Digest digest;
};

struct ManifestHead {
  Digest digest;           // Docker-Content-Digest
  std::string media_type;  // without parameters
  std::uint64_t size = 0;
};

class RegistryClient {
 public:
  // kInvalidArgument for a URL that is not http(s):// or a missing CA file. `clock` (token
  // expiry) must outlive the client.
  [[nodiscard]] static Result<std::unique_ptr<RegistryClient>> create(RegistryEndpoint endpoint,
                                                                      RegistryClientOptions options,
                                                                      const Clock& clock);

  const RegistryEndpoint& endpoint() const noexcept { return endpoint_; }

  // GET /v2/ with the credentials (a token without scope when the registry challenges):
  // the connection test. Errors as in the header; kUnavailable when the answer is not a
  // registry's (no 200 and no challenge).
  [[nodiscard]] Status check();

  // Every repository in `_catalog` (name order, as the registry pages it). kUnsupported
  // when the registry does not offer the catalog (404, 405); kTooLarge past max_list_items.
  [[nodiscard]] Result<std::vector<std::string>> list_repositories();
  // Every tag of `repository`; kNotFound for an unknown repository.
  [[nodiscard]] Result<std::vector<std::string>> list_tags(std::string_view repository);

  // HEAD of manifest `reference` (a tag or a digest). kUnavailable when the answer carries
  // no Docker-Content-Digest.
  [[nodiscard]] Result<ManifestHead> head_manifest(std::string_view repository,
                                                   std::string_view reference);
  // The digest tag `tag` names now (HEAD).
  [[nodiscard]] Result<Digest> resolve_tag(std::string_view repository, std::string_view tag) {
    auto head = head_manifest(repository, tag);
    if (!head) return fail(std::move(head.error()));
    return std::move(head->digest);
  }
  // Manifest `reference`: by digest, verified against it; by tag, against the
  // Docker-Content-Digest the registry sends (sha256 of the bytes when it sends none).
  // kDigestInvalid when the bytes do not match; kTooLarge past max_manifest_bytes.
  [[nodiscard]] Result<FetchedManifest> get_manifest(std::string_view repository,
                                                     std::string_view reference);

  // Streams blob `digest` into `sink` from `resume_from` on. Returns the 2xx response: 206
  // when the range was honoured, 200 with nothing sent to the sink when the registry
  // ignored it (start again from 0). The caller verifies the digest of what it stored.
  [[nodiscard]] Result<http::ClientResponse> get_blob(std::string_view repository,
                                                      const Digest& digest,
                                                      std::optional<std::uint64_t> resume_from,
                                                      const http::BodySink& sink);
  // A small blob (a config, a state document) read whole and verified against `digest`.
  // kTooLarge past `max_bytes`; kDigestInvalid on a mismatch.
  [[nodiscard]] Result<std::string> get_blob_content(std::string_view repository,
                                                     const Digest& digest, std::size_t max_bytes);

  // The manifests whose subject is `digest`: the referrers API
  // (`GET /v2/<repository>/referrers/<digest>`), or, from a registry without it (404), the
  // index under the fallback tag `sha256-<hex>`; none when neither exists.
  [[nodiscard]] Result<std::vector<Descriptor>> referrers(std::string_view repository,
                                                          const Digest& digest);

  // Whether `repository` holds blob `digest` (HEAD).
  [[nodiscard]] Result<bool> has_blob(std::string_view repository, const Digest& digest);
  // Uploads `content` as blob `digest` of `repository` in one request pair (POST, then PUT
  // with the digest), unless the repository already holds it. kInvalidArgument when
  // `content` does not hash to `digest` (checked before any request).
  [[nodiscard]] Status push_blob(std::string_view repository, const Digest& digest,
                                 std::string_view content);
  // PUTs `content` as manifest `reference` (a tag or its digest) with `media_type`; the
  // blobs it names must be pushed first. Returns the manifest's digest.
  [[nodiscard]] Result<Digest> push_manifest(std::string_view repository,
                                             std::string_view reference,
                                             std::string_view media_type, std::string_view content);
  // Deletes manifest `digest` and the tags on it. kUnsupported when the registry does not
  // allow deletes (405: distribution without `delete: enabled`); kNotFound.
  [[nodiscard]] Status delete_manifest(std::string_view repository, const Digest& digest);

  RegistryClient(const RegistryClient&) = delete;
  RegistryClient& operator=(const RegistryClient&) = delete;

 private:
  struct CachedToken {
    std::string token;
    std::chrono::steady_clock::time_point expires;
  };
  RegistryClient(RegistryEndpoint endpoint, RegistryClientOptions options, const Clock& clock,
                 std::unique_ptr<http::HttpClient> http)
      : endpoint_(std::move(endpoint)),
        options_(std::move(options)),
        clock_(clock),
        http_(std::move(http)) {}

  // Sends `request` with the endpoint's auth for `scope` ("" for /v2/ itself), answering
  // one Bearer challenge; any status. With `sink`, a 2xx body is streamed there.
  [[nodiscard]] Result<http::ClientResponse> send(http::ClientRequest request,
                                                  const std::string& scope,
                                                  const http::BodySink* sink = nullptr);
  // A token for `scope` from the challenge's realm; kPermissionDenied when refused.
  [[nodiscard]] Result<std::string> fetch_token(std::string_view challenge_header,
                                                const std::string& scope);
  std::optional<std::string> cached_token(const std::string& scope);
  // Every name of a paged list starting at `path` ("/v2/_catalog"), read from `field`.
  [[nodiscard]] Result<std::vector<std::string>> list_names(std::string path,
                                                            const std::string& field,
                                                            const std::string& scope,
                                                            std::string_view what,
                                                            std::string_view repository);
  // GET or HEAD of manifest `reference` with the manifest types accepted; the 200 answer,
  // any other status as status_error().
  [[nodiscard]] Result<http::ClientResponse> request_manifest(std::string_view method,
                                                              std::string_view repository,
                                                              std::string_view reference);
  // The error for a non-2xx answer about `what` ("manifest sha256:…") in `repository`.
  Error status_error(int status, std::string_view what, std::string_view repository) const;
  std::string url(std::string_view path) const { return endpoint_.url + std::string(path); }

  const RegistryEndpoint endpoint_;
  const RegistryClientOptions options_;
  const Clock& clock_;
  const std::unique_ptr<http::HttpClient> http_;
  std::mutex mutex_;                           // guards tokens_
  std::map<std::string, CachedToken> tokens_;  // by scope
};

// The scopes of the token flow, as distribution names them.
std::string pull_scope(std::string_view repository);
std::string push_scope(std::string_view repository);

}  // namespace common::oci
