#include "satellite/replication/upstream_client.hpp"

namespace satellite::replication {

common::Status UpstreamClient::configure(UpstreamConfig config) {
  common::oci::RegistryClientOptions options;
  options.http = base_;
  options.label = "the upstream";
  options.max_manifest_bytes = base_.max_buffered_body;
  auto client = common::oci::RegistryClient::create(std::move(config), std::move(options), clock_);
  const std::lock_guard lock(mutex_);
  if (!client) {
    client_.reset();
    error_ = client.error();
    return common::fail(std::move(client.error()));
  }
  client_ = std::move(*client);
  error_.reset();
  return {};
}

common::Result<std::shared_ptr<common::oci::RegistryClient>> UpstreamClient::current() const {
  const std::lock_guard lock(mutex_);
  if (error_) return common::fail(*error_);
  if (!client_) {
    return common::fail(common::ErrorCode::kUnavailable, "no upstream registry configured");
  }
  return client_;
}

common::Result<FetchedManifest> UpstreamClient::get_manifest(std::string_view repository,
                                                             const common::Digest& digest) {
  auto client = current();
  if (!client) return common::fail(std::move(client.error()));
  return (*client)->get_manifest(repository, digest.str());
}

common::Result<FetchedManifest> UpstreamClient::get_tagged_manifest(std::string_view repository,
                                                                    std::string_view tag) {
  auto client = current();
  if (!client) return common::fail(std::move(client.error()));
  return (*client)->get_manifest(repository, tag);
}

common::Result<std::string> UpstreamClient::get_blob_content(std::string_view repository,
                                                             const common::Digest& digest,
                                                             std::size_t max_bytes) {
  auto client = current();
  if (!client) return common::fail(std::move(client.error()));
  return (*client)->get_blob_content(repository, digest, max_bytes);
}

common::Result<common::Digest> UpstreamClient::resolve_tag(std::string_view repository,
                                                           std::string_view tag) {
  auto client = current();
  if (!client) return common::fail(std::move(client.error()));
  return (*client)->resolve_tag(repository, tag);
}

common::Result<common::http::ClientResponse> UpstreamClient::get_blob(
    std::string_view repository, const common::Digest& digest,
    std::optional<std::uint64_t> resume_from, const common::http::BodySink& sink) {
  auto client = current();
  if (!client) return common::fail(std::move(client.error()));
  return (*client)->get_blob(repository, digest, resume_from, sink);
}

}  // namespace satellite::replication
