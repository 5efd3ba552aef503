#include "groundcontrol/service/fleet_health.hpp"

#include <unordered_map>

#include "common/time_format.hpp"

namespace groundcontrol::service {

void HealthCounts::add(model::SatelliteHealth health) {
  ++satellites;
  ++connectivity[static_cast<std::size_t>(health.connectivity)];
  ++sync[static_cast<std::size_t>(health.sync)];
}

common::Status FleetHealth::visit(const Visitor& visit) const {
  std::vector<store::BeatRow> beats;
  std::vector<store::ReportedProgressRow> reports;
  auto read = db_.transact(
      [&](common::sql::Connection& db) -> common::Status {
        auto b = heartbeats_.scan(db);
        if (!b) return common::fail(b.error());
        auto r = reports_.scan(db);
        if (!r) return common::fail(r.error());
        beats = std::move(*b);
        reports = std::move(*r);
        return {};
      },
      {.read_only = true});
  if (!read) return read;

  std::unordered_map<std::string_view, model::HealthInputs> inputs;
  inputs.reserve(beats.size() + reports.size());
  for (const auto& beat : beats) {
    auto& in = inputs[beat.satellite];
    if (auto at = common::parse_rfc3339(beat.heartbeat_at)) in.heartbeat_at = *at;
    in.applied_digest = beat.applied_state_digest;
  }
  for (auto& report : reports) inputs[report.satellite].report = std::move(report.progress);

  const auto now = clock_.now();
  const model::HealthInputs none;
  view_.visit_satellites([&](const FleetView::SatelliteFacts& satellite) {
    const auto found = inputs.find(satellite.name);
    const auto& in = found == inputs.end() ? none : found->second;
    visit(satellite, model::health_of({satellite.state_digest, satellite.artifacts}, in, now,
                                      satellite.heartbeat_interval));
  });
  return {};
}

common::Result<FleetSummary> FleetHealth::summary(std::string_view label_key) const {
  FleetSummary summary;
  summary.label_key = std::string(label_key);
  auto done = visit([&](const FleetView::SatelliteFacts& satellite, model::SatelliteHealth health) {
    summary.fleet.add(health);
    for (const auto& group : satellite.groups) {
      auto at = summary.by_group.find(group);
      if (at == summary.by_group.end()) at = summary.by_group.emplace(group, HealthCounts{}).first;
      at->second.add(health);
    }
    if (label_key.empty()) return;
    const auto label = satellite.labels.find(label_key);
    std::string_view value;  // "" without the label (a ?: would make a temporary string)
    if (label != satellite.labels.end()) value = label->second;
    auto at = summary.by_label.find(value);
    if (at == summary.by_label.end())
      at = summary.by_label.emplace(std::string(value), HealthCounts{}).first;
    at->second.add(health);
  });
  if (!done) return common::fail(done.error());
  for (auto& group : view_.group_names()) summary.by_group.try_emplace(std::move(group));
  return summary;
}

}  // namespace groundcontrol::service
