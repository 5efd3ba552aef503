#include "groundcontrol/service/state_change_commands.hpp"

#include <algorithm>
#include <span>

namespace groundcontrol::service {
namespace {

// Syncs stored per transaction: a round of thousands commits a few times, not three times
// per satellite, while one transaction stays short enough not to hold up other writers.
constexpr std::size_t kSyncsPerTransaction = 250;

}  // namespace

common::Result<StateChangeCommands::Round> StateChangeCommands::run() {
  // Read before the states: a change while this round runs makes the next one look again.
  const auto changes = view_.state_changes();
  if (settled_ == changes) return Round{};
  std::vector<store::NatsUser> users;
  auto read = db_.transact(
      [&](common::sql::Connection& db) -> common::Status {
        auto listed = users_.list(db);
        if (!listed) return common::fail(listed.error());
        users = std::move(*listed);
        return {};
      },
      {.read_only = true});
  if (!read) return common::fail(read.error());
  std::vector<CommandService::SyncDue> due;
  for (const auto& user : users) {
    const auto state = view_.state_of(user.satellite);
    if (!state || state->state_digest == user.commanded_state_digest) continue;
    due.push_back({user.satellite, state->state_digest});
  }
  Round round;
  const Actor actor{"system:state-change"};
  const auto claim = [this](common::sql::Connection& db,
                            std::span<const model::SatelliteCommand> commands) {
    std::vector<store::NatsUserStore::Commanded> commanded;
    commanded.reserve(commands.size());
    for (const auto& c : commands) commanded.push_back({c.satellite, c.state_digest});
    return users_.set_commanded_all(db, commanded);
  };
  for (std::size_t first = 0; first < due.size(); first += kSyncsPerTransaction) {
    const auto count = std::min(kSyncsPerTransaction, due.size() - first);
    auto issued = commands_.issue_syncs(std::span(due).subspan(first, count), actor, claim);
    if (!issued) return common::fail(issued.error());
    round.issued += issued->issued;
    for (auto& c : issued->superseded) round.superseded.push_back(std::move(c));
  }
  settled_ = changes;
  return round;
}

}  // namespace groundcontrol::service
