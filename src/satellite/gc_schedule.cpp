#include "satellite/gc_schedule.hpp"

#include <nlohmann/json.hpp>

#include "common/fs/file_ops.hpp"

namespace satellite {

GcSchedule::GcSchedule(registry::RegistryService& service, std::chrono::seconds interval,
                       common::log::Logger logger, const common::Clock& clock)
    : service_(service),
      interval_(interval),
      logger_(std::move(logger)),
      clock_(clock),
      thread_([this](std::stop_token stop) { loop(stop); }) {}

GcSchedule::~GcSchedule() {
  thread_.request_stop();
  wake_.notify_all();
}

void GcSchedule::trigger() {
  {
    std::lock_guard lock(mutex_);
    triggered_ = true;
  }
  wake_.notify_all();
}

void GcSchedule::loop(std::stop_token stop) {
  // A year stands in for "never" when only triggered runs are wanted.
  const auto period = interval_.count() > 0 ? interval_ : std::chrono::seconds(365L * 24 * 3600);
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      wake_.wait_for(lock, stop, period, [this] { return triggered_; });
      if (stop.stop_requested()) return;
      triggered_ = false;
    }
    run_once();
  }
}

void GcSchedule::run_once() {
  auto report = service_.collect_garbage();
  if (!report) {
    logger_->error("gc failed: {}: {}", report.error().message(), report.error().detail());
    return;
  }
  const auto path = registry::storage::StoragePaths(service_.config().data_dir).gc_report();
  if (auto status = common::fs::atomic_write_file(
          path, gc_report_json(*report, registry::unix_seconds(clock_)));
      !status) {
    logger_->warn("cannot write {}: {}", path, status.error().message());
  }
}

std::string gc_report_json(const registry::GcReport& report, std::int64_t finished_unix) {
  return nlohmann::json{{"finished_at", finished_unix},
                        {"blobs_deleted", report.blobs_deleted},
                        {"bytes_freed", report.bytes_freed},
                        {"blobs_kept", report.blobs_kept},
                        {"uploads_purged", report.uploads_purged}}
      .dump();
}

}  // namespace satellite
