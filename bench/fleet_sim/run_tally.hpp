// RunTally: what one thread's connections counted in a phase (answers as expected, errors,
// latencies), merged across threads once they have stopped. One thread at a time.
#pragma once

#include <cstdint>
#include <string>

#include "latency_samples.hpp"

namespace fleet_sim {

struct RunTally {
  std::uint64_t ok = 0;
  std::uint64_t errors = 0;
  std::string first_error;  // the first error seen, for the report
  LatencySamples latency;

  void error(std::string what) {
    if (errors++ == 0) first_error = std::move(what);
  }
  void merge(const RunTally& other) {
    ok += other.ok;
    if (errors == 0 && other.errors > 0) first_error = other.first_error;
    errors += other.errors;
    latency.merge(other.latency);
  }
};

}  // namespace fleet_sim
