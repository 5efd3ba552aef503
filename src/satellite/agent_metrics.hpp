// The agent's figures on the satellite's /metrics, beside the registry's:
//   satellite_sync_artifacts{phase}          gauge: desired artifacts present/pulling/failed
//   satellite_sync_passes_total              counter: reconcile passes run
//   satellite_sync_last_duration_seconds     gauge: how long the last pass took
//   satellite_sync_state_applied             gauge: 1 when the desired state is fully applied
//   satellite_sync_source_up                 gauge: 1 when the state source answered lately
//   satellite_upstream_bytes_total           counter: bytes pulled from upstream since start
#pragma once

#include <cstdint>
#include <functional>

#include "common/http/metrics.hpp"
#include "common/result.hpp"
#include "satellite/agent/agent.hpp"

namespace satellite {

// Registers the families above on `metrics` (before it serves); `agent` must outlive it.
[[nodiscard]] common::Status add_agent_metrics(common::http::Metrics& metrics,
                                               const agent::Agent& agent,
                                               std::function<std::uint64_t()> upstream_bytes);

}  // namespace satellite
