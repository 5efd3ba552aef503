#include "satellite/fleet/fleet_reporter.hpp"

#include <spdlog/logger.h>

#include "common/time_format.hpp"

namespace satellite::fleet {

FleetReporter::FleetReporter(const GroundControlSource& source, ReporterInputs inputs,
                             const common::Clock& clock, common::log::Logger logger)
    : source_(source), inputs_(std::move(inputs)), clock_(clock), logger_(std::move(logger)) {}

FleetReporter::~FleetReporter() {
  stop();
}

void FleetReporter::start() {
  thread_ = std::jthread([this](std::stop_token stop) { run(stop); });
}

void FleetReporter::stop() {
  thread_.request_stop();
  if (thread_.joinable()) thread_.join();
}

void FleetReporter::status_changed() {
  {
    std::lock_guard lock(mutex_);
    status_due_ = true;
  }
  wake_.notify_all();
}

void FleetReporter::set_heartbeat_interval(std::chrono::seconds interval) {
  {
    std::lock_guard lock(mutex_);
    interval_ = std::max(interval, std::chrono::seconds(1));
  }
  wake_.notify_all();
}

void FleetReporter::run(std::stop_token stop) {
  auto next_beat = clock_.steady_now();
  while (!stop.stop_requested()) {
    bool send_status = false;
    bool send_beat = false;
    {
      std::unique_lock lock(mutex_);
      while (!stop.stop_requested() && !status_due_ && clock_.steady_now() < next_beat)
        wake_.wait_for(lock, stop, std::chrono::milliseconds(250), [&] { return status_due_; });
      if (stop.stop_requested()) return;
      send_status = status_due_;
      status_due_ = false;
      send_beat = clock_.steady_now() >= next_beat;
    }
    const auto client = source_.client();
    if (!client) {  // not enrolled yet: try again at the next beat
      next_beat = clock_.steady_now() + std::chrono::seconds(1);
      continue;
    }
    std::string error;
    if (send_status || send_beat) {
      if (auto sent = client->report_status(inputs_.status()); !sent)
        error = sent.error().message();
    }
    if (send_beat) {
      auto beat = inputs_.heartbeat();
      beat.time = common::format_rfc3339(clock_.now());
      auto answer = client->heartbeat(beat);
      std::chrono::seconds interval;
      {
        std::lock_guard lock(mutex_);
        interval = interval_;
      }
      if (!answer) {
        error = answer.error().message();
      } else if (answer->next_heartbeat_seconds > 0) {
        interval = std::chrono::seconds(answer->next_heartbeat_seconds);  // jittered for us
      }
      next_beat = clock_.steady_now() + interval;
    }
    std::unique_lock lock(mutex_);
    if (error != last_error_ && !error.empty())
      logger_->warn("reporting to ground control: {}", error);
    last_error_ = error;
    // At most one status report a second, however fast passes end.
    wake_.wait_for(lock, stop, std::chrono::seconds(1), [] { return false; });
  }
}

}  // namespace satellite::fleet
