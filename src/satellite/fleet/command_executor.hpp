// CommandExecutor: what the satellite does with a command from ground control
// (docs/adr/0008-nats-command-channel.md) and the answer it gives. Applied once: a command
// answered before gets its remembered answer and is not run again; a command past its
// expiresAt is answered "expired" without running; one for another satellite (which its
// NATS permissions should make impossible) "failed". A new answer is on disk before it is
// returned, so an acknowledgement lost after the answer still never re-runs the command.
// The actions are the satellite's own (run_command wires them); each returns when done,
// and its error is the reason ground control shows. Not thread-safe: one caller (the NATS
// channel's thread).
#pragma once

#include <functional>
#include <stop_token>
#include <string>
#include <string_view>

#include "common/clock.hpp"
#include "common/fleet_wire/command.hpp"
#include "common/log/logger.hpp"
#include "common/result.hpp"
#include "satellite/fleet/answered_commands.hpp"

namespace satellite::fleet {

// Call it now and then during a long action: it tells JetStream the command is still being
// worked on, so it is not delivered again meanwhile.
using StillWorking = std::function<void()>;

struct CommandActions {
  // Returns once the desired state `state_digest` ("" the current one) — or a newer one
  // that replaced it — is fetched and applied; an error when it cannot be, or on `stop`.
  std::function<common::Status(std::string_view state_digest, const StillWorking& working,
                               std::stop_token stop)>
      sync_state;
  std::function<common::Status()> report_status;
  // Returns once ground control's config (with fresh upstream credentials) is fetched again.
  std::function<common::Status(const StillWorking& working, std::stop_token stop)>
      refresh_credentials;
  std::function<common::Status()> collect_garbage;
  std::function<common::Status()> rewrite_runtimes;
};

class CommandExecutor {
 public:
  // Borrows the ledger and the clock.
  CommandExecutor(std::string satellite, CommandActions actions, AnsweredCommands& ledger,
                  const common::Clock& clock, common::log::Logger logger)
      : satellite_(std::move(satellite)),
        actions_(std::move(actions)),
        ledger_(ledger),
        clock_(clock),
        logger_(std::move(logger)) {}

  // The answer to `command`, remembered. An error only when the ledger cannot be written:
  // the caller must then not acknowledge, so that the command comes again; or when `stop`
  // ended the action (not remembered either: the command is redelivered after a restart).
  [[nodiscard]] common::Result<common::fleet_wire::CommandAnswer> execute(
      const common::fleet_wire::Command& command, const StillWorking& working,
      std::stop_token stop);

 private:
  common::Status run(const common::fleet_wire::Command& command, const StillWorking& working,
                     std::stop_token stop);

  const std::string satellite_;
  const CommandActions actions_;
  AnsweredCommands& ledger_;
  const common::Clock& clock_;
  common::log::Logger logger_;
};

}  // namespace satellite::fleet
