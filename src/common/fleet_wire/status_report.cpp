#include "common/fleet_wire/status_report.hpp"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "common/fleet_wire/field_reader.hpp"

namespace common::fleet_wire {
namespace {

using nlohmann::json;

constexpr std::size_t kMaxText = 1024;

Result<ArtifactReport> read_artifact(const FieldReader& in) {
  auto repository = in.text("repository", true, kMaxText);
  if (!repository) return fail(repository.error());
  auto digest = in.digest("digest");
  if (!digest) return fail(digest.error());
  auto state = in.text("state");
  if (!state) return fail(state.error());
  const auto phase = phase_from_name(*state);
  if (!phase)
    return fail(
        ErrorCode::kInvalidArgument,
        fmt::format("{}: \"{}\" is not present, pulling or failed", in.field("state"), *state));
  auto done = in.count("bytesDone");
  if (!done) return fail(done.error());
  auto total = in.count("bytesTotal");
  if (!total) return fail(total.error());
  auto reason = in.text("reason", false, kMaxReasonBytes);
  if (!reason) return fail(reason.error());
  return ArtifactReport{std::move(*repository), std::move(*digest), *phase, *done, *total,
                        std::move(*reason)};
}

}  // namespace

std::string_view phase_name(ArtifactPhase phase) noexcept {
  switch (phase) {
    case ArtifactPhase::kPresent:
      return "present";
    case ArtifactPhase::kPulling:
      return "pulling";
    case ArtifactPhase::kFailed:
      return "failed";
  }
  return "present";
}

std::optional<ArtifactPhase> phase_from_name(std::string_view name) noexcept {
  for (const auto phase :
       {ArtifactPhase::kPresent, ArtifactPhase::kPulling, ArtifactPhase::kFailed})
    if (phase_name(phase) == name) return phase;
  return std::nullopt;
}

json artifacts_document(const StatusReport& report) {
  json artifacts = json::array();
  for (const auto& a : report.artifacts) {
    json entry = {
        {"repository", a.repository}, {"digest", a.digest.str()}, {"state", phase_name(a.phase)}};
    if (a.phase == ArtifactPhase::kPulling || a.bytes_total > 0) {
      entry["bytesDone"] = a.bytes_done;
      entry["bytesTotal"] = a.bytes_total;
    }
    if (!a.reason.empty()) entry["reason"] = a.reason;
    artifacts.push_back(std::move(entry));
  }
  return artifacts;
}

PhaseCounts count_phases(const StatusReport& report) noexcept {
  PhaseCounts counts;
  for (const auto& a : report.artifacts) {
    switch (a.phase) {
      case ArtifactPhase::kPresent:
        ++counts.present;
        break;
      case ArtifactPhase::kPulling:
        ++counts.pulling;
        break;
      case ArtifactPhase::kFailed:
        ++counts.failed;
        break;
    }
  }
  return counts;
}

std::string to_json(const StatusReport& report) {
  json document = {{"stateDigest", report.state_digest}, {"artifacts", artifacts_document(report)}};
  if (!report.last_sync_time.empty())
    document["lastSync"] = {{"time", report.last_sync_time},
                            {"durationMs", report.last_sync_duration_ms}};
  if (!report.state_refusal.empty()) document["stateRefusal"] = report.state_refusal;
  return document.dump();
}

Result<StatusReport> parse_status_report(std::string_view text) {
  auto document = parse_wire_object(text, "status report");
  if (!document) return fail(document.error());
  return read_status_report(*document);
}

Result<StatusReport> read_status_report(const json& document) {
  if (!document.is_object())
    return fail(ErrorCode::kInvalidArgument, "status report: expected a JSON object");
  const FieldReader in(document, "");
  StatusReport report;
  auto digest = in.text("stateDigest", false, kMaxText);
  if (!digest) return fail(digest.error());
  report.state_digest = std::move(*digest);
  if (const auto last = document.find("lastSync"); last != document.end() && !last->is_null()) {
    auto sync = in.object("lastSync");
    if (!sync) return fail(sync.error());
    auto time = sync->text("time", true, kMaxText);
    if (!time) return fail(time.error());
    auto duration = sync->count("durationMs");
    if (!duration) return fail(duration.error());
    report.last_sync_time = std::move(*time);
    report.last_sync_duration_ms = *duration;
  }
  auto refusal = in.text("stateRefusal", false, kMaxText);
  if (!refusal) return fail(refusal.error());
  report.state_refusal = std::move(*refusal);
  auto artifacts = in.objects("artifacts", kMaxReportedArtifacts);
  if (!artifacts) return fail(artifacts.error());
  report.artifacts.reserve(artifacts->size());
  for (const auto& item : *artifacts) {
    auto artifact = read_artifact(item);
    if (!artifact) return fail(artifact.error());
    report.artifacts.push_back(std::move(*artifact));
  }
  return report;
}

}  // namespace common::fleet_wire
