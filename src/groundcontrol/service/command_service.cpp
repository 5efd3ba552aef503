#include "groundcontrol/service/command_service.hpp"

#include <fmt/format.h>

#include <set>
#include <utility>

#include "common/time_format.hpp"

namespace groundcontrol::service {

using common::ErrorCode;
using common::fail;
using common::sql::Connection;
using model::CommandPhase;
using model::SatelliteCommand;

namespace {

constexpr std::string_view kSatelliteKind = "Satellite";
constexpr std::string_view kCommandKind = "SatelliteCommand";
// Command rows and their events never bump the revision: they need not queue behind
// resource writers (common::sql::TxOptions::unqueued).
constexpr common::sql::TxOptions kUnqueued{.unqueued = true};

common::Result<CommandPhase> phase_of(common::fleet_wire::CommandOutcome outcome) {
  switch (outcome) {
    case common::fleet_wire::CommandOutcome::kDone:
      return CommandPhase::kDone;
    case common::fleet_wire::CommandOutcome::kFailed:
      return CommandPhase::kFailed;
    case common::fleet_wire::CommandOutcome::kExpired:
      return CommandPhase::kExpired;
  }
  return fail(ErrorCode::kInvalidArgument, "outcome: unknown");
}

store::Event issued_event(const SatelliteCommand& command) {
  return {0,
          command.created_at,
          command.actor,
          "command",
          std::string(kCommandKind),
          command.satellite,
          fmt::format("{} {}", common::fleet_wire::command_type_name(command.type), command.id)};
}

}  // namespace

std::string CommandService::now() const {
  return common::format_rfc3339(clock_.now());
}

common::Status CommandService::require_satellite(Connection& db, std::string_view satellite) const {
  auto found = resources_.get(db, kSatelliteKind, satellite);
  if (!found) {
    if (found.error().code() == ErrorCode::kNotFound)
      return fail(ErrorCode::kNotFound, fmt::format("satellite \"{}\" not found", satellite));
    return fail(found.error());
  }
  return {};
}

SatelliteCommand CommandService::make_command(std::string_view satellite,
                                              const model::CommandRequest& request,
                                              std::string_view state_digest,
                                              const Actor& actor) const {
  const auto issued = clock_.now();
  const auto ttl = request.ttl.count() > 0 ? request.ttl : config_.default_ttl;
  SatelliteCommand command;
  // Time first, so that ids sort in issue order within a second too.
  command.id = fmt::format(
      "{:012x}-{}",
      std::chrono::duration_cast<std::chrono::milliseconds>(issued.time_since_epoch()).count(),
      make_uid_().substr(0, 8));
  command.satellite = std::string(satellite);
  command.type = request.type;
  if (request.type == common::fleet_wire::CommandType::kSyncState)
    command.state_digest = std::string(state_digest);
  command.actor = actor.name;
  command.created_at = common::format_rfc3339(issued);
  command.expires_at = common::format_rfc3339(issued + ttl);
  return command;
}

common::Status CommandService::store_issued(Connection& db, const SatelliteCommand& command) const {
  if (auto ok = commands_.insert(db, command); !ok) return ok;
  if (auto ok = events_.record(db, issued_event(command)); !ok) return ok;
  return db.notify(kCommandChannel, config_.origin);
}

common::Result<SatelliteCommand> CommandService::issue(std::string_view satellite,
                                                       const model::CommandRequest& request,
                                                       std::string_view state_digest,
                                                       const Actor& actor) {
  const SatelliteCommand command = make_command(satellite, request, state_digest, actor);
  auto done = db_.transact(
      [&](Connection& db) -> common::Status {
        if (auto ok = require_satellite(db, satellite); !ok) return ok;
        return store_issued(db, command);
      },
      kUnqueued);
  if (!done) return fail(done.error());
  return command;
}

common::Result<CommandService::IssuedSyncs> CommandService::issue_syncs(
    std::span<const SyncDue> due, const Actor& actor, const Claim& claim) {
  std::vector<SatelliteCommand> commands;
  commands.reserve(due.size());
  for (const auto& sync : due) {
    commands.push_back(make_command(sync.satellite,
                                    {common::fleet_wire::CommandType::kSyncState, {}},
                                    sync.state_digest, actor));
  }
  std::vector<std::string> names;
  names.reserve(due.size());
  for (const auto& sync : due) names.push_back(sync.satellite);
  const auto at = now();
  IssuedSyncs out;
  auto done = db_.transact(
      [&](Connection& db) -> common::Status {
        out = {};  // a retry starts over
        auto existing = resources_.existing(db, kSatelliteKind, names);
        if (!existing) return fail(existing.error());
        std::vector<SatelliteCommand> candidates;  // of satellites not deleted meanwhile
        for (const auto& command : commands)
          if (existing->contains(command.satellite)) candidates.push_back(command);
        if (candidates.empty()) return {};
        auto claimed = claim(db, candidates);
        if (!claimed) return fail(claimed.error());
        std::vector<SatelliteCommand> stored;
        std::vector<store::Event> events;
        for (auto& command : candidates) {
          if (!claimed->contains(command.satellite)) continue;
          events.push_back(issued_event(command));
          stored.push_back(std::move(command));
        }
        if (stored.empty()) return {};
        if (auto ok = commands_.insert_all(db, stored); !ok) return ok;
        if (auto ok = events_.record_all(db, events); !ok) return ok;
        auto superseded = commands_.supersede_all(db, stored, at);
        if (!superseded) return fail(superseded.error());
        out.superseded = std::move(*superseded);
        out.issued = stored.size();
        // One wake-up per batch: dispatchers read what is pending.
        return db.notify(kCommandChannel, config_.origin);
      },
      kUnqueued);
  if (!done) return fail(done.error());
  return out;
}

common::Result<std::vector<SatelliteCommand>> CommandService::list(std::string_view satellite,
                                                                   std::size_t limit) const {
  std::vector<SatelliteCommand> out;
  auto done = db_.transact(
      [&](Connection& db) -> common::Status {
        if (auto ok = require_satellite(db, satellite); !ok) return ok;
        auto listed = commands_.list_for(db, satellite, limit);
        if (!listed) return fail(listed.error());
        out = std::move(*listed);
        return {};
      },
      {.read_only = true});
  if (!done) return fail(done.error());
  return out;
}

common::Result<SatelliteCommand> CommandService::get(std::string_view satellite,
                                                     std::string_view id) const {
  std::optional<SatelliteCommand> out;
  auto done = db_.transact(
      [&](Connection& db) -> common::Status {
        if (auto ok = require_satellite(db, satellite); !ok) return ok;
        auto found = commands_.get(db, satellite, id);
        if (!found) return fail(found.error());
        out = std::move(*found);
        return {};
      },
      {.read_only = true});
  if (!done) return fail(done.error());
  if (!out)
    return fail(ErrorCode::kNotFound,
                fmt::format("satellite \"{}\" has no command \"{}\"", satellite, id));
  return std::move(*out);
}

common::Result<std::vector<SatelliteCommand>> CommandService::pending(
    std::size_t limit, std::chrono::seconds min_age) const {
  std::vector<SatelliteCommand> out;
  const auto at = clock_.now();
  const auto now_text = common::format_rfc3339(at);
  const auto issued_by = common::format_rfc3339(at - min_age);
  auto done = db_.transact(
      [&](Connection& db) -> common::Status {
        auto found = commands_.pending(db, now_text, issued_by, limit);
        if (!found) return fail(found.error());
        out = std::move(*found);
        return {};
      },
      {.read_only = true});
  if (!done) return fail(done.error());
  return out;
}

common::Result<bool> CommandService::mark_sent(std::string_view id, std::int64_t stream_sequence) {
  const Sent one{std::string(id), stream_sequence};
  auto moved = mark_sent_all(std::span(&one, 1));
  if (!moved) return fail(moved.error());
  return *moved == 1;
}

common::Result<std::size_t> CommandService::mark_sent_all(std::span<const Sent> sent) {
  std::size_t moved = 0;
  const auto at = now();
  auto done = db_.transact(
      [&](Connection& db) -> common::Status {
        auto updated = commands_.mark_sent_all(db, sent, at);
        if (!updated) return fail(updated.error());
        moved = static_cast<std::size_t>(*updated);
        return {};
      },
      kUnqueued);
  if (!done) return fail(done.error());
  return moved;
}

common::Result<bool> CommandService::record_answer(
    const common::fleet_wire::CommandAnswer& answer) {
  auto moved = record_answers(std::span(&answer, 1));
  if (!moved) return fail(moved.error());
  return *moved == 1;
}

common::Result<std::size_t> CommandService::record_answers(
    std::span<const common::fleet_wire::CommandAnswer> answers) {
  std::vector<store::CommandStore::Finish> finishes;
  finishes.reserve(answers.size());
  std::set<std::pair<std::string_view, std::string_view>> seen;
  for (const auto& answer : answers) {
    auto phase = phase_of(answer.outcome);
    if (!phase) return fail(phase.error());
    // An answer delivered twice in one batch: the first wins, as it would one batch later.
    if (!seen.emplace(answer.satellite, answer.command_id).second) continue;
    finishes.push_back({answer.satellite, answer.command_id, *phase, answer.reason});
  }
  std::size_t moved = 0;
  const auto at = now();
  auto done = db_.transact(
      [&](Connection& db) -> common::Status {
        auto updated = commands_.finish_all(db, finishes, at);
        if (!updated) return fail(updated.error());
        moved = static_cast<std::size_t>(*updated);
        return {};
      },
      kUnqueued);
  if (!done) return fail(done.error());
  return moved;
}

common::Result<std::vector<SatelliteCommand>> CommandService::expire_due() {
  std::vector<SatelliteCommand> sent;
  const auto time = clock_.now();
  const auto at = common::format_rfc3339(time);
  const auto forget_before = common::format_rfc3339(time - config_.retention);
  auto done = db_.transact(
      [&](Connection& db) -> common::Status {
        auto expired = commands_.expire_due(db, at);
        if (!expired) return fail(expired.error());
        sent = std::move(*expired);
        auto pruned = commands_.prune(db, forget_before);
        if (!pruned) return fail(pruned.error());
        return {};
      },
      kUnqueued);
  if (!done) return fail(done.error());
  return sent;
}

}  // namespace groundcontrol::service
