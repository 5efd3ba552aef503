#include "satellite/agent_metrics.hpp"

namespace satellite {

common::Status add_agent_metrics(common::http::Metrics& metrics, const agent::Agent& agent,
                                 std::function<std::uint64_t()> upstream_bytes) {
  if (auto added = metrics.add_family(
          "satellite_sync_artifacts", "Desired artifacts by sync phase", "gauge", "phase",
          [&agent] {
            const auto counts = agent.summary().counts;
            return common::http::Metrics::Samples{{"present", static_cast<double>(counts.present)},
                                                  {"pulling", static_cast<double>(counts.pulling)},
                                                  {"failed", static_cast<double>(counts.failed)}};
          });
      !added)
    return added;
  if (auto added =
          metrics.add_counter("satellite_sync_passes_total", "Reconcile passes run",
                              [&agent] { return static_cast<double>(agent.summary().passes); });
      !added)
    return added;
  if (auto added = metrics.add_gauge(
          "satellite_sync_last_duration_seconds", "Duration of the last reconcile pass",
          [&agent] { return static_cast<double>(agent.summary().last_sync_duration_ms) / 1000.0; });
      !added)
    return added;
  if (auto added = metrics.add_gauge(
          "satellite_sync_state_applied", "1 when the desired state is fully applied",
          [&agent] {
            const auto status = agent.summary();
            return !status.state_digest.empty() &&
                           status.state_digest == status.applied_state_digest
                       ? 1.0
                       : 0.0;
          });
      !added)
    return added;
  if (auto added = metrics.add_gauge(
          "satellite_sync_source_up", "1 when the desired state's source answered lately",
          [&agent] { return agent.summary().feed_error.empty() ? 1.0 : 0.0; });
      !added)
    return added;
  return metrics.add_counter(
      "satellite_upstream_bytes_total", "Bytes pulled from the upstream registry since start",
      [read = std::move(upstream_bytes)] { return static_cast<double>(read()); });
}

}  // namespace satellite
