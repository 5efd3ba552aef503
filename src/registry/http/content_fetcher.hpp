// ContentFetcher: what a pull-through registry does when a pull asks for content it does
// not hold: it fetches that content from upstream into the RegistryService — verified, as
// every write is — so that the lookup can then be answered from what is held. Implemented
// outside the registry library (the satellite's proxy mode); the registry knows only this
// contract. The fetch calls block for the whole transfer, so they run on the fetcher's own
// pool, never on the registry's (a slow upstream must not stall local pushes and pulls).
// Thread-safety: every call from any thread.
#pragma once

#include <boost/asio/thread_pool.hpp>

#include <string_view>

#include "common/digest.hpp"
#include "common/result.hpp"

namespace registry::http {

class ContentFetcher {
 public:
  virtual ~ContentFetcher() = default;
  // Stores manifest `reference` (a tag or a digest) of `repository` with everything it
  // references. kManifestUnknown when the upstream has none, kDenied when the repository is
  // not one the proxy may fetch, kUnavailable (or the transport's code) when the upstream
  // cannot be reached. Blocking.
  [[nodiscard]] virtual common::Status fetch_manifest(std::string_view repository,
                                                      std::string_view reference) = 0;
  // Stores blob `digest` into `repository`. Errors as fetch_manifest, kBlobUnknown for an
  // unknown blob. Blocking.
  [[nodiscard]] virtual common::Status fetch_blob(std::string_view repository,
                                                  const common::Digest& digest) = 0;
  // A manifest pull was answered from what is held (least-recently-used eviction reads
  // it). Cheap; never blocks.
  virtual void served(std::string_view repository, const common::Digest& manifest) noexcept = 0;
  // A pull by `tag` was answered from what is held, `held` being the tag's manifest. True
  // when the fetcher put that tag there and is due to check it against the upstream: the
  // caller then calls fetch_manifest(repository, tag), and serves what is held if that
  // fails (an edge site keeps serving when the upstream is gone). Cheap; never blocks.
  [[nodiscard]] virtual bool revalidate(std::string_view repository, std::string_view tag,
                                        const common::Digest& held) noexcept = 0;
  // Where the blocking calls run.
  virtual boost::asio::thread_pool& pool() noexcept = 0;
};

}  // namespace registry::http
