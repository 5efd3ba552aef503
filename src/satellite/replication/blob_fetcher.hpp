// BlobFetcher: makes one blob held by a repository of the local registry, taking from the
// upstream only what the registry does not already store. Per digest:
//   1. a blob already stored (for any repository, or finished by an earlier run) is only
//      linked (RegistryService::link_stored_blob): no bytes move;
//   2. single flight: when another caller is downloading the same digest, this one waits
//      for it and then links; if that download fails (or its pull is stopped) the waiter
//      takes over. The in-flight table is a member, never a global;
//   3. otherwise it downloads into a registry upload session recorded in ResumeRecords: an
//      interrupted download (a stop, a dropped link, SIGKILL) continues from the session's
//      offset with a Range request; an upstream that answers 200 instead of 206 is
//      restarted cleanly from byte 0. finish_upload() verifies the digest before the blob
//      becomes visible (kDigestInvalid otherwise, and the bytes are dropped).
// Concurrency: at most `parallel` downloads run at once across all callers (a counting
// gate: callers are the pulls' worker threads, each blocking on the HttpClient); waiting
// for a slot or a flight honours the stop token. Every byte passes the shared
// BandwidthLimiter. Thread-safety: fetch() from any number of threads.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <stop_token>
#include <string_view>

#include "common/log/logger.hpp"
#include "common/oci/manifest.hpp"
#include "common/result.hpp"
#include "registry/registry_service.hpp"
#include "satellite/replication/bandwidth_limiter.hpp"
#include "satellite/replication/pull_progress.hpp"
#include "satellite/replication/resume_records.hpp"
#include "satellite/replication/upstream_client.hpp"

namespace satellite::replication {

class BlobFetcher {
 public:
  // Every reference must outlive the fetcher; `parallel` 0 counts as 1.
  BlobFetcher(registry::RegistryService& registry, UpstreamClient& upstream,
              BandwidthLimiter& limiter, ResumeRecords records, unsigned parallel,
              common::log::Logger logger)
      : registry_(registry),
        upstream_(upstream),
        limiter_(limiter),
        records_(std::move(records)),
        parallel_(parallel == 0 ? 1 : parallel),
        logger_(std::move(logger)) {}

  // Makes `blob` held by `repository`, adding its bytes to progress.bytes_done. Returns the
  // bytes this call took from the upstream (0 when linked or fetched by another caller).
  // Errors: the upstream's (kNotFound, kPermissionDenied, transport), kDigestInvalid, the
  // registry's, kUnavailable "pull stopped" when `stop` is requested (partial bytes stay
  // for resume). Blocking.
  [[nodiscard]] common::Result<std::uint64_t> fetch(std::string_view repository,
                                                    const common::oci::Descriptor& blob,
                                                    PullProgress& progress,
                                                    const std::stop_token& stop);
  // Bytes taken from the upstream by every fetch since construction.
  std::uint64_t bytes_transferred() const noexcept { return transferred_.load(); }

 private:
  struct Flight {
    bool done = false;
    bool ok = false;
  };
  struct Session {
    std::string id;
    std::uint64_t offset = 0;
  };
  // The recorded session for `digest` in `repository` with its offset, or a new one.
  [[nodiscard]] common::Result<Session> open_session(std::string_view repository,
                                                     const common::Digest& digest);
  [[nodiscard]] common::Result<Session> restart_session(std::string_view repository,
                                                        const common::Digest& digest,
                                                        const Session& old);
  // Downloads into the session and finishes it. REQUIRES: this caller leads the flight.
  [[nodiscard]] common::Result<std::uint64_t> download(std::string_view repository,
                                                       const common::oci::Descriptor& blob,
                                                       PullProgress& progress,
                                                       const std::stop_token& stop);
  // One GET into the session from session.offset; true when the upstream ignored the range.
  [[nodiscard]] common::Result<bool> transfer(std::string_view repository,
                                              const common::Digest& digest, const Session& session,
                                              PullProgress& progress, const std::stop_token& stop,
                                              std::uint64_t& fetched, std::uint64_t& counted);

  registry::RegistryService& registry_;
  UpstreamClient& upstream_;
  BandwidthLimiter& limiter_;
  ResumeRecords records_;
  const unsigned parallel_;
  common::log::Logger logger_;
  std::atomic<std::uint64_t> transferred_{0};
  std::mutex mutex_;  // guards flights_ and busy_
  std::condition_variable_any changed_;
  std::map<common::Digest, std::shared_ptr<Flight>> flights_;
  unsigned busy_ = 0;  // downloads running
};

}  // namespace satellite::replication
