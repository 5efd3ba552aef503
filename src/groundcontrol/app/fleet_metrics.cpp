#include "groundcontrol/app/fleet_metrics.hpp"

#include <fmt/format.h>

#include <chrono>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "common/http/server.hpp"
#include "common/sql/timed_database.hpp"
#include "groundcontrol/api/satellite_handlers.hpp"
#include "groundcontrol/app/nats_channel.hpp"
#include "groundcontrol/service/fleet_health.hpp"
#include "groundcontrol/service/fleet_sync.hpp"
#include "groundcontrol/service/fleet_view.hpp"
#include "groundcontrol/service/periodic_jobs.hpp"
#include "groundcontrol/service/report_recorder.hpp"

namespace groundcontrol::app {
namespace {

using Samples = common::http::Metrics::Samples;

common::Status add_gauges(common::http::Metrics& metrics, const FleetMetricSources& s) {
  const auto* view = s.view;
  const auto* satellites = s.satellites;
  const auto* reports = s.reports;
  const auto* sync = s.sync;
  for (auto& [name, help, read] :
       std::vector<std::tuple<std::string, std::string, std::function<double()>>>{
           {"groundcontrol_satellites", "Satellites registered (this replica's view).",
            [view] { return static_cast<double>(view->satellite_count()); }},
           {"groundcontrol_long_polls_held", "State long-polls waiting now.",
            [satellites] { return static_cast<double>(satellites->long_polls_held()); }},
           {"groundcontrol_reports_waiting",
            "Heartbeats and status reports received, not yet written.",
            [reports] { return static_cast<double>(reports->waiting()); }},
           {"groundcontrol_view_revision", "The change-log revision this replica's view applied.",
            [sync] { return static_cast<double>(sync->applied_revision()); }}})
    if (auto ok = metrics.add_gauge(name, help, std::move(read)); !ok) return ok;
  return {};
}

common::Status add_nats_counters(common::http::Metrics& metrics, const NatsChannel* nats) {
  if (!nats) return {};
  if (auto ok =
          metrics.add_counter("groundcontrol_nats_commands_published_total",
                              "Commands this replica published to JetStream.",
                              [nats] { return static_cast<double>(nats->commands_published()); });
      !ok)
    return ok;
  return metrics.add_counter("groundcontrol_nats_answers_recorded_total",
                             "Satellites' answers that settled a command on this replica.",
                             [nats] { return static_cast<double>(nats->answers_recorded()); });
}

// Satellites by state, computed at scrape time: two narrow scans, shared by both families of
// one scrape through a cache that lives for a second.
common::Status add_health_families(common::http::Metrics& metrics, const FleetMetricSources& s) {
  struct Shared {
    std::mutex mutex;
    std::optional<std::chrono::system_clock::time_point> at;
    service::HealthCounts counts;
  };
  const auto shared = std::make_shared<Shared>();
  const auto summary = [health = s.health, shared, clock = s.clock] {
    std::lock_guard lock(shared->mutex);
    const auto now = clock->now();
    if (!shared->at || now - *shared->at > std::chrono::seconds(1) || now < *shared->at) {
      auto summary = health->summary("");
      shared->counts = summary ? summary->fleet : service::HealthCounts{};
      shared->at = now;
    }
    return shared->counts;
  };
  if (auto ok = metrics.add_family(
          "groundcontrol_satellites_by_connectivity", "Satellites by connectivity.", "gauge",
          "state",
          [summary] {
            const auto counts = summary();
            Samples out;
            for (const auto state : model::kConnectivities)
              out.emplace_back(
                  model::name_of(state),
                  static_cast<double>(counts.connectivity[static_cast<std::size_t>(state)]));
            return out;
          });
      !ok)
    return ok;
  return metrics.add_family(
      "groundcontrol_satellites_by_sync", "Satellites by sync state.", "gauge", "state", [summary] {
        const auto counts = summary();
        Samples out;
        for (const auto state : model::kSyncStates)
          out.emplace_back(model::name_of(state),
                           static_cast<double>(counts.sync[static_cast<std::size_t>(state)]));
        return out;
      });
}

common::Status add_tls_families(common::http::Metrics& metrics, const FleetMetricSources& s) {
  for (const auto& [name, server] :
       {std::pair{"management", s.management}, std::pair{"satellite", s.satellite}})
    if (auto ok = metrics.add_family(
            fmt::format("groundcontrol_{}_api_tls_handshakes_total", name),
            fmt::format("TLS handshakes on the {} API: full, or resumed from a session ticket.",
                        name),
            "counter", "kind",
            [server] {
              const auto counts =
                  *server ? (*server)->tls_handshakes() : common::http::TlsHandshakeCounts{};
              return Samples{{"full", static_cast<double>(counts.full)},
                             {"resumed", static_cast<double>(counts.resumed)}};
            });
        !ok)
      return ok;
  return {};
}

common::Status add_job_families(common::http::Metrics& metrics, const service::PeriodicJobs* jobs) {
  if (auto ok =
          metrics.add_family("groundcontrol_job_runs_total", "Periodic job runs on this replica.",
                             "counter", "job", [jobs] { return jobs->runs(); });
      !ok)
    return ok;
  return metrics.add_family("groundcontrol_job_lease_held",
                            "1 when this replica holds the job's lease.", "gauge", "job",
                            [jobs] { return jobs->holds(); });
}

}  // namespace

common::Status add_fleet_metrics(common::http::Metrics& metrics,
                                 const FleetMetricSources& sources) {
  if (auto ok = add_gauges(metrics, sources); !ok) return ok;
  if (auto ok = add_nats_counters(metrics, sources.nats); !ok) return ok;
  if (auto ok = metrics.add_histogram(
          "groundcontrol_db_transaction_duration_seconds",
          "Database transactions by kind, retries and the wait for a connection included.", "kind",
          {{"read", &sources.db->reads()}, {"write", &sources.db->writes()}});
      !ok)
    return ok;
  if (auto ok = add_health_families(metrics, sources); !ok) return ok;
  if (auto ok = add_tls_families(metrics, sources); !ok) return ok;
  return add_job_families(metrics, sources.jobs);
}

}  // namespace groundcontrol::app
