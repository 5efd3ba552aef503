#include "satellite/replication/blob_fetcher.hpp"

#include <fmt/format.h>

#include <optional>

namespace satellite::replication {
namespace {

using common::ErrorCode;

common::Status stopped() {
  return common::fail(ErrorCode::kUnavailable, "pull stopped");
}

}  // namespace

common::Result<std::uint64_t> BlobFetcher::fetch(std::string_view repository,
                                                 const common::oci::Descriptor& blob,
                                                 PullProgress& progress,
                                                 const std::stop_token& stop) {
  const auto size = static_cast<std::uint64_t>(blob.size);
  for (;;) {
    auto linked = registry_.link_stored_blob(repository, blob.digest);
    if (!linked) return common::fail(std::move(linked.error()));
    if (*linked) {
      progress.bytes_done += size;
      return 0;
    }
    std::shared_ptr<Flight> flight;
    {
      std::unique_lock lock(mutex_);
      auto it = flights_.find(blob.digest);
      if (it != flights_.end()) {  // someone else downloads it: wait, then link (or take over)
        auto theirs = it->second;
        if (!changed_.wait(lock, stop, [&] { return theirs->done; }))
          return common::fail(stopped().error());
        continue;
      }
      // Lead the flight, once a download slot is free.
      flight = std::make_shared<Flight>();
      flights_.emplace(blob.digest, flight);
      if (!changed_.wait(lock, stop, [&] { return busy_ < parallel_; })) {
        flight->done = true;
        flights_.erase(blob.digest);
        changed_.notify_all();
        return common::fail(stopped().error());
      }
      ++busy_;
    }
    auto result = download(repository, blob, progress, stop);
    {
      const std::lock_guard lock(mutex_);
      --busy_;
      flight->done = true;
      flight->ok = result.has_value();
      flights_.erase(blob.digest);
    }
    changed_.notify_all();
    return result;
  }
}

common::Result<BlobFetcher::Session> BlobFetcher::open_session(std::string_view repository,
                                                               const common::Digest& digest) {
  if (auto record = records_.find(digest)) {
    if (record->repository == repository) {
      auto state = registry_.upload_status(repository, record->upload_id);
      if (state) return Session{record->upload_id, state->size};
    } else {
      (void)registry_.cancel_upload(record->repository, record->upload_id);  // free its disk
    }
  }
  auto state = registry_.start_upload(repository);
  if (!state) return common::fail(std::move(state.error()));
  Session session{state->id.str(), 0};
  if (auto put = records_.put(digest, ResumeRecord{std::string(repository), session.id}); !put) {
    return common::fail(std::move(put.error()));
  }
  return session;
}

common::Result<BlobFetcher::Session> BlobFetcher::restart_session(std::string_view repository,
                                                                  const common::Digest& digest,
                                                                  const Session& old) {
  (void)registry_.cancel_upload(repository, old.id);
  records_.remove(digest);
  return open_session(repository, digest);
}

common::Result<bool> BlobFetcher::transfer(std::string_view repository,
                                           const common::Digest& digest, const Session& session,
                                           PullProgress& progress, const std::stop_token& stop,
                                           std::uint64_t& fetched, std::uint64_t& counted) {
  auto opened = registry_.open_upload(repository, session.id, session.offset);
  if (!opened) return common::fail(std::move(opened.error()));
  std::optional<registry::storage::UploadWriter> writer(std::move(*opened));
  const common::http::BodySink sink = [&](std::string_view chunk) -> common::Status {
    if (stop.stop_requested()) return stopped();
    if (auto waited = limiter_.acquire(chunk.size(), stop); !waited) return waited;
    if (auto written = writer->write(chunk); !written) return written;
    fetched += chunk.size();
    counted += chunk.size();
    transferred_ += chunk.size();
    progress.bytes_done += chunk.size();
    return {};
  };
  const auto resume_from =
      session.offset > 0 ? std::optional<std::uint64_t>(session.offset) : std::nullopt;
  auto response = upstream_.get_blob(repository, digest, resume_from, sink);
  writer.reset();  // hands the session back (its bytes stay for a resume)
  if (!response) return common::fail(std::move(response.error()));
  if (session.offset == 0) return false;
  const auto range = response->content_range();
  return response->status != 206 || !range || range->first != session.offset;
}

common::Result<std::uint64_t> BlobFetcher::download(std::string_view repository,
                                                    const common::oci::Descriptor& blob,
                                                    PullProgress& progress,
                                                    const std::stop_token& stop) {
  auto session = open_session(repository, blob.digest);
  if (!session) return common::fail(std::move(session.error()));
  std::uint64_t fetched = 0;
  std::uint64_t counted = session->offset;  // bytes of this blob in progress.bytes_done
  progress.bytes_done += counted;
  if (session->offset > 0) {
    logger_->info("resuming blob {} of {} at byte {}", blob.digest.str(), repository,
                  session->offset);
  }
  const auto size = static_cast<std::uint64_t>(blob.size);
  if (session->offset < size || size == 0) {
    auto ignored = transfer(repository, blob.digest, *session, progress, stop, fetched, counted);
    if (ignored && *ignored) {  // the upstream sent the whole blob again: start over cleanly
      logger_->info("upstream ignored the range for blob {}: fetching it whole", blob.digest.str());
      progress.bytes_done -= counted;
      counted = 0;
      session = restart_session(repository, blob.digest, *session);
      if (!session) return common::fail(std::move(session.error()));
      ignored = transfer(repository, blob.digest, *session, progress, stop, fetched, counted);
    }
    if (!ignored) {
      progress.bytes_done -= counted;  // counted again when resumed
      return common::fail(std::move(ignored.error()));
    }
  }
  auto finished = registry_.finish_upload(repository, session->id, blob.digest);
  records_.remove(blob.digest);
  if (!finished) {
    progress.bytes_done -= counted;
    if (finished.error().code() == ErrorCode::kDigestInvalid) {
      return common::fail(ErrorCode::kDigestInvalid,
                          fmt::format("blob {} from {} upstream does not match its digest: "
                                      "refused",
                                      blob.digest.str(), repository));
    }
    return common::fail(std::move(finished.error()));
  }
  return fetched;
}

}  // namespace satellite::replication
