#include "satellite/fleet/command_executor.hpp"

#include <fmt/format.h>

#include "common/time_format.hpp"

namespace satellite::fleet {

using common::fleet_wire::Command;
using common::fleet_wire::CommandAnswer;
using common::fleet_wire::CommandOutcome;
using common::fleet_wire::CommandType;

namespace {

common::Status call(const std::function<common::Status()>& action) {
  if (!action)
    return common::fail(common::ErrorCode::kUnsupported, "this satellite cannot do that");
  return action();
}

// The reason as the wire carries it (fleet_wire::parse_command_answer refuses longer ones,
// which would leave the command unanswered), cut at a UTF-8 character boundary.
std::string bounded(std::string reason) {
  constexpr std::size_t kMaxReason = 1000;
  if (reason.size() <= kMaxReason) return reason;
  std::size_t cut = kMaxReason;
  while (cut > 0 && (static_cast<unsigned char>(reason[cut]) & 0xC0) == 0x80) --cut;
  reason.resize(cut);
  return reason + "…";
}

}  // namespace

common::Status CommandExecutor::run(const Command& command, const StillWorking& working,
                                    std::stop_token stop) {
  switch (command.type) {
    case CommandType::kSyncState:
      if (!actions_.sync_state)
        return common::fail(common::ErrorCode::kUnsupported, "this satellite cannot sync");
      return actions_.sync_state(command.state_digest, working, stop);
    case CommandType::kReportStatus:
      return call(actions_.report_status);
    case CommandType::kRefreshCredentials:
      if (!actions_.refresh_credentials)
        return common::fail(common::ErrorCode::kUnsupported,
                            "this satellite takes no credentials from ground control");
      return actions_.refresh_credentials(working, stop);
    case CommandType::kCollectGarbage:
      return call(actions_.collect_garbage);
    case CommandType::kRewriteRuntimes:
      return call(actions_.rewrite_runtimes);
  }
  return common::fail(common::ErrorCode::kUnsupported, "unknown command");
}

common::Result<CommandAnswer> CommandExecutor::execute(const Command& command,
                                                       const StillWorking& working,
                                                       std::stop_token stop) {
  if (auto known = ledger_.find(command.id)) {
    logger_->info("command {} ({}) was answered before: {} again", command.id,
                  common::fleet_wire::command_type_name(command.type),
                  common::fleet_wire::outcome_name(known->outcome));
    return *known;
  }
  CommandAnswer answer{command.id, satellite_, CommandOutcome::kDone, {}, {}};
  const auto now = clock_.now();
  const auto expires = command.expires_at.empty()
                           ? common::Result<std::chrono::system_clock::time_point>(
                                 std::chrono::system_clock::time_point::max())
                           : common::parse_rfc3339(command.expires_at);
  if (command.satellite != satellite_) {
    answer.outcome = CommandOutcome::kFailed;
    answer.reason = fmt::format("the command is for satellite \"{}\", not \"{}\"",
                                command.satellite, satellite_);
  } else if (!expires) {
    answer.outcome = CommandOutcome::kFailed;
    answer.reason = "expiresAt: " + expires.error().message();
  } else if (now > *expires) {
    answer.outcome = CommandOutcome::kExpired;
    answer.reason = "arrived after it expired at " + command.expires_at;
  } else {
    logger_->info("command {}: {}", command.id,
                  common::fleet_wire::command_type_name(command.type));
    auto done = run(command, working, stop);
    if (stop.stop_requested())
      return common::fail(common::ErrorCode::kUnavailable, "stopped while running the command");
    if (!done) {
      answer.outcome = CommandOutcome::kFailed;
      answer.reason = bounded(done.error().message());
    }
  }
  answer.time = common::format_rfc3339(clock_.now());
  if (auto kept = ledger_.remember(answer); !kept) return common::fail(kept.error());
  logger_->info("command {} {}{}{}", command.id, common::fleet_wire::outcome_name(answer.outcome),
                answer.reason.empty() ? "" : ": ", answer.reason);
  return answer;
}

}  // namespace satellite::fleet
