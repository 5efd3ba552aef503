// PullThroughProxy: the satellite's proxy mode (use case 3 of the design). A pull of a
// manifest or blob that the satellite does not hold is fetched from the upstream by the
// replication engine — verified, stored, then served — optionally only for the allowed
// repositories; concurrent pulls share the blob downloads (the engine fetches a blob once).
// What it fetched that no desired state names is a cache: each entry remembers when it was
// last served, and when the registry's stored bytes pass the disk quota the least recently
// served entries are deleted (and garbage collection asked for) until it fits again.
// Desired content is never evicted. A tag it fetched follows the upstream: a pull of it
// checks the upstream's digest at most once per `tag_ttl` (served from what is held when
// the upstream cannot answer); tags set by the desired state or pushed at the site are
// never touched. The cache's entries and tags are kept in `<data-dir>/proxy/cache.json` so
// that eviction and revalidation still know them after a restart.
// Thread-safety: every call from any thread (the registry's I/O threads and the pool).
#pragma once

#include <boost/asio/thread_pool.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <stop_token>
#include <string>
#include <vector>

#include "common/clock.hpp"
#include "common/log/logger.hpp"
#include "registry/http/content_fetcher.hpp"
#include "registry/registry_service.hpp"
#include "satellite/replication/image_puller.hpp"

namespace satellite::proxy {

struct ProxyOptions {
  // Repositories that may be fetched: an exact name, or a prefix ending in "/"
  // ("library/"); empty: every repository.
  std::vector<std::string> repositories;
  std::uint64_t disk_quota = 0;        // stored bytes at most before eviction; 0: never evict
  std::vector<std::string> platforms;  // as the agent's filter
  unsigned threads = 2;                // fetches at once
  std::string cache_file;              // where the cache's entries are kept
  std::chrono::seconds tag_ttl{60};    // a fetched tag is checked upstream this often
};

class PullThroughProxy final : public registry::http::ContentFetcher {
 public:
  // `is_desired(repository, digest)` tells content of the desired state (never evicted);
  // `collect_garbage` is called after an eviction. Borrows registry, puller and clock.
  PullThroughProxy(registry::RegistryService& registry, replication::ImagePuller& puller,
                   ProxyOptions options,
                   std::function<bool(const std::string&, const common::Digest&)> is_desired,
                   std::function<void()> collect_garbage, const common::Clock& clock,
                   common::log::Logger logger);
  ~PullThroughProxy() override;

  [[nodiscard]] common::Status fetch_manifest(std::string_view repository,
                                              std::string_view reference) override;
  [[nodiscard]] common::Status fetch_blob(std::string_view repository,
                                          const common::Digest& digest) override;
  void served(std::string_view repository, const common::Digest& manifest) noexcept override;
  [[nodiscard]] bool revalidate(std::string_view repository, std::string_view tag,
                                const common::Digest& held) noexcept override;
  boost::asio::thread_pool& pool() noexcept override { return pool_; }

  // Turns proxying on or off and sets the repositories it may fetch (config from ground
  // control, no restart). Off, a miss is answered as unknown without asking the upstream.
  void configure(bool enabled, std::vector<std::string> repositories);
  // The image signature policy proxied images are fetched under: the strictest of the
  // satellite's groups' (what it applies to any image of theirs), so under enforce an image
  // without a valid signature is not served through the proxy either (403 DENIED, saying
  // why). Off until a state names one. Any thread.
  void set_signature_policy(common::fleet_wire::SignaturePolicy policy);

  // Evicts least recently served cache entries until the stored bytes fit the quota;
  // returns how many it evicted. Also run after every fetch.
  std::size_t evict_to_quota();
  // The cache's entries (repository@digest), for status and tests.
  [[nodiscard]] std::size_t cached_entries() const;
  // Ends fetches in flight (at shutdown: the process does not wait for a slow upstream).
  void stop() noexcept { stop_.request_stop(); }

 private:
  struct Entry {
    std::int64_t last_served = 0;  // unix seconds
  };
  using Key = std::pair<std::string, common::Digest>;
  struct FetchedTag {
    common::Digest digest;          // what the proxy set the tag to
    std::int64_t last_checked = 0;  // unix seconds; 0 after a restart: checked on next pull
  };
  [[nodiscard]] bool allowed(std::string_view repository) const;
  void remember(const std::string& repository, const common::Digest& digest);
  void remember_tag(const std::string& repository, const std::string& tag,
                    const common::Digest& digest);
  [[nodiscard]] std::int64_t now_unix() const;
  void save_locked() const;

  registry::RegistryService& registry_;
  replication::ImagePuller& puller_;
  ProxyOptions options_;                                  // repositories guarded by mutex_
  common::fleet_wire::SignaturePolicy signature_policy_;  // guarded by mutex_
  std::atomic<bool> enabled_{true};
  std::function<bool(const std::string&, const common::Digest&)> is_desired_;
  std::function<void()> collect_garbage_;
  const common::Clock& clock_;
  common::log::Logger logger_;
  mutable std::mutex mutex_;  // guards cache_ and tags_
  std::map<Key, Entry> cache_;
  std::map<std::pair<std::string, std::string>, FetchedTag> tags_;
  std::stop_source stop_;
  std::mutex evict_mutex_;  // one eviction at a time
  boost::asio::thread_pool pool_;
};

}  // namespace satellite::proxy
