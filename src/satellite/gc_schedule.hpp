// GcSchedule: runs the registry's garbage collection in the serving process every
// `interval`, and at once when trigger() is called (`satellite gc` sends SIGUSR1 to the
// server, whose signal thread calls trigger()). Each finished run is written to
// <data-dir>/gc-report.json so the requesting command can print it.
// Thread-safety: trigger() may be called from any thread; the destructor stops and joins.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

#include "common/log/logger.hpp"
#include "registry/registry_service.hpp"

namespace satellite {

class GcSchedule {
 public:
  // `interval` zero: no periodic runs, only triggered ones.
  GcSchedule(registry::RegistryService& service, std::chrono::seconds interval,
             common::log::Logger logger, const common::Clock& clock = registry::system_clock());
  ~GcSchedule();
  GcSchedule(const GcSchedule&) = delete;
  GcSchedule& operator=(const GcSchedule&) = delete;

  void trigger();

 private:
  void loop(std::stop_token stop);
  void run_once();

  registry::RegistryService& service_;
  std::chrono::seconds interval_;
  common::log::Logger logger_;
  const common::Clock& clock_;
  std::mutex mutex_;  // guards triggered_
  std::condition_variable_any wake_;
  bool triggered_ = false;
  std::jthread thread_;  // last: starts after the members it uses
};

// JSON text of a report, as written to StoragePaths::gc_report().
std::string gc_report_json(const registry::GcReport& report, std::int64_t finished_unix);

}  // namespace satellite
