// StatusReport: how far a satellite is with its desired state (`POST /satellite/v1/status`):
// the state digest it is working on, when its last sync ended and how long it took, and per
// artifact whether it is present (with a warning, if any), being pulled (bytes so far) or
// failed (why). Ground control derives the satellite's sync state and drift from it. A wire
// type shared by ground control and the satellite; a reader ignores fields it does not know.
#pragma once

#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/digest.hpp"
#include "common/result.hpp"

namespace common::fleet_wire {

enum class ArtifactPhase { kPresent, kPulling, kFailed };

[[nodiscard]] std::string_view phase_name(ArtifactPhase phase) noexcept;  // "present", …
[[nodiscard]] std::optional<ArtifactPhase> phase_from_name(std::string_view name) noexcept;

struct ArtifactReport {
  std::string repository;
  Digest digest;
  ArtifactPhase phase = ArtifactPhase::kPresent;
  std::int64_t bytes_done = 0;   // while pulling
  std::int64_t bytes_total = 0;  // 0: not known yet
  std::string reason;            // why it failed; when present, a warning (served although its
                                 // signature did not verify under a warn policy) or ""
};

struct StatusReport {
  std::string state_digest;    // the desired state this report is about
  std::string last_sync_time;  // RFC 3339 end of the last sync ("" none yet)
  std::int64_t last_sync_duration_ms = 0;
  std::vector<ArtifactReport> artifacts;
  // Why the satellite last refused state from the central registry (unsigned, signed by no
  // trusted key, a rollback); empty when it did not, or a later read succeeded.
  std::string state_refusal;
};

inline constexpr std::size_t kMaxReportedArtifacts = 10'000;
inline constexpr std::size_t kMaxReasonBytes = 1024;

[[nodiscard]] std::string to_json(const StatusReport& report);
// The artifacts as to_json writes them (a JSON array), for a reader that shows them.
[[nodiscard]] nlohmann::json artifacts_document(const StatusReport& report);

// How many of a report's artifacts are in each phase: what a sync state is judged on.
struct PhaseCounts {
  std::int64_t present = 0;
  std::int64_t pulling = 0;
  std::int64_t failed = 0;
};
[[nodiscard]] PhaseCounts count_phases(const StatusReport& report) noexcept;
// kInvalidArgument naming the field: a missing or mistyped one, an unknown phase, a bad
// digest, more than kMaxReportedArtifacts entries, a reason over kMaxReasonBytes.
[[nodiscard]] Result<StatusReport> parse_status_report(std::string_view json);
// The same, of a document already parsed (a handler\'s body).
[[nodiscard]] Result<StatusReport> read_status_report(const nlohmann::json& document);

}  // namespace common::fleet_wire
