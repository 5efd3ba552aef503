// AnsweredCommands: the answers this satellite gave to ground control's commands, kept on
// disk (`<data-dir>/agent/answered-commands.json`, written atomically before the answer is
// sent), so that a command JetStream delivers again — after a lost acknowledgement, a crash
// or a restart — is answered again with the same outcome and never run twice. Bounded: the
// newest `capacity` answers are kept (far more than JetStream redelivers: a command is
// redelivered only until its acknowledgement lands). Not thread-safe: one owner (the NATS
// channel's thread).
#pragma once

#include <cstddef>
#include <deque>
#include <optional>
#include <string>
#include <string_view>

#include "common/fleet_wire/command.hpp"
#include "common/result.hpp"

namespace satellite::fleet {

class AnsweredCommands {
 public:
  // Reads `path` if it exists. kInvalidArgument for a file that is not a ledger (it is then
  // best replaced: the caller logs it and starts empty).
  [[nodiscard]] static common::Result<AnsweredCommands> load(std::string path,
                                                             std::size_t capacity = 1024);

  [[nodiscard]] std::optional<common::fleet_wire::CommandAnswer> find(std::string_view id) const;
  // Remembers `answer` (the oldest is forgotten beyond capacity) and writes the file.
  [[nodiscard]] common::Status remember(const common::fleet_wire::CommandAnswer& answer);
  [[nodiscard]] std::size_t size() const noexcept { return answers_.size(); }

 private:
  AnsweredCommands(std::string path, std::size_t capacity)
      : path_(std::move(path)), capacity_(capacity) {}

  std::string path_;
  std::size_t capacity_;
  std::deque<common::fleet_wire::CommandAnswer> answers_;  // oldest first
};

}  // namespace satellite::fleet
