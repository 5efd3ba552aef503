#include "groundcontrol/service/state_change_commands.hpp"

namespace groundcontrol::service {

common::Result<StateChangeCommands::Round> StateChangeCommands::run() {
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
  Round round;
  const Actor actor{"system:state-change"};
  for (const auto& user : users) {
    const auto state = view_.state_of(user.satellite);
    if (!state || state->state_digest == user.commanded_state_digest) continue;
    auto command =
        commands_.issue(user.satellite, {common::fleet_wire::CommandType::kSyncState, {}},
                        state->state_digest, actor);
    if (!command) {
      if (command.error().code() == common::ErrorCode::kNotFound) continue;  // just deleted
      return common::fail(command.error());
    }
    auto marked = db_.transact([&](common::sql::Connection& db) -> common::Status {
      auto changed = users_.set_commanded(db, user.satellite, state->state_digest);
      if (!changed) return common::fail(changed.error());
      return {};
    });
    if (!marked) return common::fail(marked.error());
    ++round.issued;
    auto superseded = commands_.supersede_syncs(user.satellite, command->id);
    if (!superseded) return common::fail(superseded.error());
    for (auto& c : *superseded) round.superseded.push_back(std::move(c));
  }
  return round;
}

}  // namespace groundcontrol::service
