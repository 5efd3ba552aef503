#include <signal.h>

#include <chrono>
#include <cstdio>
#include <thread>

#include "common/fs/dir_lock.hpp"
#include "common/fs/file_ops.hpp"
#include "registry/registry_service.hpp"
#include "satellite/commands.hpp"
#include "satellite/gc_schedule.hpp"

namespace satellite {
namespace {

constexpr auto kReportTimeout = std::chrono::hours(1);

// Asks the satellite holding `data_dir` to collect garbage and prints its next report.
common::Status gc_in_server(const std::string& data_dir) {
  auto pid = common::fs::DirLock::holder(data_dir);
  if (!pid) return common::fail(pid.error());
  const auto report_path = registry::storage::StoragePaths(data_dir).gc_report();
  const auto before = common::fs::read_file(report_path).value_or("");
  if (::kill(*pid, SIGUSR1) != 0) {
    return common::fail(common::ErrorCode::kPermissionDenied,
                        "cannot signal the satellite holding the data dir",
                        "pid " + std::to_string(*pid));
  }
  std::fprintf(
      stderr,
      "asked the running satellite (pid %d) to collect garbage with its own --gc-grace and "
      "--upload-max-idle\n",
      *pid);
  const auto deadline = std::chrono::steady_clock::now() + kReportTimeout;
  while (std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    auto now = common::fs::read_file(report_path);
    if (now && *now != before) {
      std::printf("%s\n", now->c_str());
      return {};
    }
    if (::kill(*pid, 0) != 0)
      return common::fail(common::ErrorCode::kUnavailable, "the satellite exited");
  }
  return common::fail(common::ErrorCode::kTimeout, "no garbage collection report after an hour");
}

}  // namespace

common::Status gc_command(const registry::RegistryConfig& config, common::log::Logger logger) {
  auto service = registry::RegistryService::open(config, std::move(logger));
  if (!service && service.error().code() == common::ErrorCode::kConflict)
    return gc_in_server(config.data_dir);
  if (!service) return common::fail(service.error());
  auto report = (*service)->collect_garbage();
  if (!report) return common::fail(report.error());
  std::printf("%s\n",
              gc_report_json(*report, registry::unix_seconds(registry::system_clock())).c_str());
  return {};
}

}  // namespace satellite
