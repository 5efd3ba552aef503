// FleetReporter: what the satellite tells ground control about itself, on a thread of its
// own so that a slow ground control never holds up a sync: a heartbeat every heartbeat
// interval (version, uptime, disk used and free, bytes pulled, the state digest applied,
// its clock), and the per-artifact status report (present / pulling with bytes done /
// failed with reason, last sync time and duration) after each pass, at most once a second.
// Nothing is sent until the satellite is enrolled; a failed send is logged once and
// dropped (the next one carries the news). Thread-safety: every call from any thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "common/clock.hpp"
#include "common/fleet_wire/heartbeat.hpp"
#include "common/fleet_wire/status_report.hpp"
#include "common/log/logger.hpp"
#include "satellite/fleet/ground_control_source.hpp"

namespace satellite::fleet {

struct ReporterInputs {
  std::function<common::fleet_wire::Heartbeat()> heartbeat;  // filled but for time
  std::function<common::fleet_wire::StatusReport()> status;  // the agent's status now
};

class FleetReporter {
 public:
  // Borrows the source (for its client) and the clock.
  FleetReporter(const GroundControlSource& source, ReporterInputs inputs,
                const common::Clock& clock, common::log::Logger logger);
  ~FleetReporter();
  FleetReporter(const FleetReporter&) = delete;
  FleetReporter& operator=(const FleetReporter&) = delete;

  void start();
  void stop();
  // A pass ended: send the status report soon.
  void status_changed();
  void set_heartbeat_interval(std::chrono::seconds interval);

 private:
  void run(std::stop_token stop);

  const GroundControlSource& source_;
  ReporterInputs inputs_;
  const common::Clock& clock_;
  common::log::Logger logger_;
  std::mutex mutex_;  // guards everything below
  std::condition_variable_any wake_;
  bool status_due_ = false;
  std::chrono::seconds interval_{60};
  std::string last_error_;
  std::jthread thread_;
};

}  // namespace satellite::fleet
