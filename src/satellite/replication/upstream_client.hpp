// UpstreamClient: the satellite's view of the upstream OCI registry, a RegistryClient
// (common/oci/registry_client.hpp: the token flow, verified manifests, errors naming "the
// upstream") that configure() swaps while requests run: each request uses the upstream it
// started with, and a new upstream starts with no cached tokens.
// Thread-safety: every call from any thread; requests block (see HttpClient).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string_view>

#include "common/clock.hpp"
#include "common/digest.hpp"
#include "common/http/client_options.hpp"
#include "common/oci/registry_client.hpp"
#include "common/result.hpp"
#include "satellite/replication/upstream_config.hpp"

namespace satellite::replication {

using common::oci::FetchedManifest;

class UpstreamClient {
 public:
  // `base` gives every HttpClient knob but the upstream's own TLS trust; `clock` (token
  // expiry) must outlive the client. No upstream until configure().
  UpstreamClient(common::http::ClientOptions base, const common::Clock& clock)
      : base_(std::move(base)), clock_(clock) {}

  // Uses `config` for the requests that start from now on. kInvalidArgument for a URL that
  // is not http(s):// or a missing CA file; the error is also what later requests return
  // until a good config comes.
  common::Status configure(UpstreamConfig config);

  // The manifest `digest` of `repository`, verified against the digest.
  [[nodiscard]] common::Result<FetchedManifest> get_manifest(std::string_view repository,
                                                             const common::Digest& digest);
  // The manifest `tag` of `repository`, verified against the digest the upstream names.
  [[nodiscard]] common::Result<FetchedManifest> get_tagged_manifest(std::string_view repository,
                                                                    std::string_view tag);
  // A small blob read whole, verified (see RegistryClient::get_blob_content).
  [[nodiscard]] common::Result<std::string> get_blob_content(std::string_view repository,
                                                             const common::Digest& digest,
                                                             std::size_t max_bytes);
  // The digest the upstream's tag names now (HEAD, Docker-Content-Digest).
  [[nodiscard]] common::Result<common::Digest> resolve_tag(std::string_view repository,
                                                           std::string_view tag);
  // See RegistryClient::get_blob.
  [[nodiscard]] common::Result<common::http::ClientResponse> get_blob(
      std::string_view repository, const common::Digest& digest,
      std::optional<std::uint64_t> resume_from, const common::http::BodySink& sink);

 private:
  // The client of the current upstream, or why there is none.
  [[nodiscard]] common::Result<std::shared_ptr<common::oci::RegistryClient>> current() const;

  const common::http::ClientOptions base_;
  const common::Clock& clock_;
  mutable std::mutex mutex_;  // guards client_ and error_
  std::shared_ptr<common::oci::RegistryClient> client_;
  std::optional<common::Error> error_;
};

}  // namespace satellite::replication
