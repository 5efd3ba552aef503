// The simulator's result lines: one human line on stderr and one "RESULT phase=… key=value"
// line on stdout that bench/fleet_bench.sh reads. Exit status 1 when any error was counted.
#pragma once

#include <fmt/format.h>

#include <sys/resource.h>

#include <cstdio>
#include <string>

#include "run_tally.hpp"

namespace fleet_sim {

// CPU seconds (user + system) this process has used so far.
inline double cpu_seconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
         static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

inline int report(const std::string& phase, RunTally& tally, double seconds) {
  auto& latency = tally.latency;
  const double rate = seconds > 0 ? static_cast<double>(tally.ok) / seconds : 0;
  fmt::print(stderr,
             "fleet-sim {}: {} ok, {} errors in {:.2f} s: {:.0f}/s, p50 {:.2f} ms, p99 {:.2f} ms, "
             "max {:.2f} ms{}\n",
             phase, tally.ok, tally.errors, seconds, rate, latency.quantile_ms(0.5),
             latency.quantile_ms(0.99), latency.quantile_ms(1.0),
             tally.errors ? " (first error: " + tally.first_error + ")" : "");
  fmt::print(
      "RESULT phase={} ok={} errors={} seconds={:.3f} rate={:.1f} p50_ms={:.3f} p99_ms={:.3f} "
      "max_ms={:.3f} sim_cpu_s={:.3f}\n",
      phase, tally.ok, tally.errors, seconds, rate, latency.quantile_ms(0.5),
      latency.quantile_ms(0.99), latency.quantile_ms(1.0), cpu_seconds());
  std::fflush(stdout);
  return tally.errors == 0 ? 0 : 1;
}

}  // namespace fleet_sim
