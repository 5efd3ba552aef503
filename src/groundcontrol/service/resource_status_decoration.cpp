#include "groundcontrol/service/resource_status_decoration.hpp"

#include <set>
#include <string_view>
#include <utility>

#include <nlohmann/json.hpp>

#include "common/fleet_wire/status_report.hpp"
#include "common/time_format.hpp"
#include "groundcontrol/model/satellite_health.hpp"

namespace groundcontrol::service {
namespace {

using common::fail;
using common::sql::Connection;
using nlohmann::json;

// How many drift entries a Satellite read names, with the full counts beside them.
constexpr std::size_t kDriftExamples = 20;

// What the satellite should hold and does not report present, and what it reports present
// and should not hold (yet to be collected).
json drift_of(const RenderedState* desired, const common::fleet_wire::StatusReport& report) {
  std::set<std::pair<std::string, std::string>> present;
  for (const auto& a : report.artifacts)
    if (a.phase == common::fleet_wire::ArtifactPhase::kPresent)
      present.emplace(a.repository, a.digest.str());
  std::set<std::pair<std::string, std::string>> wanted;
  if (desired != nullptr)
    for (const auto& a : desired->artifacts) wanted.emplace(a.repository, a.digest.str());
  const auto difference = [](const auto& from, const auto& without) {
    json names = json::array();
    std::size_t count = 0;
    for (const auto& entry : from) {
      if (without.contains(entry)) continue;
      if (++count <= kDriftExamples)
        names.push_back({{"repository", entry.first}, {"digest", entry.second}});
    }
    return json{{"count", count}, {"examples", std::move(names)}};
  };
  return {{"missing", difference(wanted, present)}, {"unwanted", difference(present, wanted)}};
}

}  // namespace

common::Status StatusDecoration::add_reported_status(Connection& db, store::Resource& satellite,
                                                     const std::string& now_text,
                                                     StatusDetail detail) const {
  const auto& name = satellite.meta.name;
  auto heartbeat = statuses_.get(db, name);
  if (!heartbeat) return fail(heartbeat.error());
  auto stored_report = reports_.get(db, name);
  if (!stored_report) return fail(stored_report.error());
  auto status = json::parse(satellite.status, nullptr, false);
  if (!status.is_object()) status = json::object();
  const auto& view = view_;
  const auto desired = view.state_of(name);
  if (desired) {
    status["desiredStateDigest"] = desired->state_digest;
    // Its groups as resolved (listed by name or selected by labels), and the tags two of
    // them give to different digests, dropped from its state.
    status["groups"] = desired->groups;
    json conflicts = json::array();
    for (const auto& conflict : desired->conflicts) {
      json digests = json::array();
      for (const auto& digest : conflict.digests) digests.push_back(digest.str());
      conflicts.push_back(
          {{"repository", conflict.repository}, {"tag", conflict.tag}, {"digests", digests}});
    }
    status["tagConflicts"] = std::move(conflicts);
  }

  model::HealthInputs inputs;
  if (*heartbeat) {
    const auto& h = **heartbeat;
    if (auto at = common::parse_rfc3339(h.heartbeat_at)) inputs.heartbeat_at = *at;
    inputs.applied_digest = h.applied_state_digest;
    status["heartbeat"] = {{"time", h.heartbeat_at},
                           {"reportedTime", h.reported_time},
                           {"clockOffsetMs", h.clock_offset_ms},
                           {"version", h.version},
                           {"uptimeSeconds", h.uptime_seconds},
                           {"diskUsedBytes", h.disk_used_bytes},
                           {"diskFreeBytes", h.disk_free_bytes},
                           {"bytesTransferred", h.bytes_transferred},
                           {"appliedStateDigest", h.applied_state_digest}};
  }
  if (*stored_report) {
    const auto& r = (*stored_report)->report;
    const auto counts = common::fleet_wire::count_phases(r);
    inputs.report =
        model::ReportedProgress{r.state_digest, counts.present, counts.pulling, counts.failed};
    json report = {
        {"time", (*stored_report)->reported_at},
        {"stateDigest", r.state_digest},
        {"artifactCounts",
         {{"present", counts.present}, {"pulling", counts.pulling}, {"failed", counts.failed}}}};
    if (!r.last_sync_time.empty())
      report["lastSync"] = {{"time", r.last_sync_time}, {"durationMs", r.last_sync_duration_ms}};
    if (!r.state_refusal.empty()) report["stateRefusal"] = r.state_refusal;
    if (detail == StatusDetail::kFull) {
      report["artifacts"] = common::fleet_wire::artifacts_document(r);
      status["drift"] = drift_of(desired.get(), r);
    }
    status["report"] = std::move(report);
  }
  const auto now = common::parse_rfc3339(now_text);
  const auto health =
      model::health_of({desired ? std::string_view(desired->state_digest) : std::string_view(),
                        desired ? desired->artifacts.size() : 0},
                       inputs, now ? *now : clock_.now(), view.heartbeat_interval_of(name));
  status["connectivity"] = model::name_of(health.connectivity);
  status["sync"] = model::name_of(health.sync);
  satellite.status = status.dump();
  return {};
}

void StatusDecoration::add_member_count(store::Resource& group) const {
  auto status = json::parse(group.status, nullptr, false);
  if (!status.is_object()) status = json::object();
  status["satellites"] = view_.member_count(group.meta.name);
  group.status = status.dump();
}

}  // namespace groundcontrol::service
