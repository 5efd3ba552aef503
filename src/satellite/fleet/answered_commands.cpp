#include "satellite/fleet/answered_commands.hpp"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "common/fs/file_ops.hpp"

namespace satellite::fleet {

using common::fleet_wire::CommandAnswer;
using nlohmann::json;

common::Result<AnsweredCommands> AnsweredCommands::load(std::string path, std::size_t capacity) {
  AnsweredCommands ledger(std::move(path), capacity);
  auto text = common::fs::read_file(ledger.path_);
  if (!text) {
    if (text.error().code() == common::ErrorCode::kNotFound) return ledger;
    return common::fail(text.error());
  }
  const auto document = json::parse(*text, nullptr, false);
  if (document.is_discarded() || !document.is_array())
    return common::fail(common::ErrorCode::kInvalidArgument,
                        fmt::format("{}: expected a JSON array of answers", ledger.path_));
  for (const auto& item : document) {
    // One unreadable entry costs that entry only, not the whole ledger (whose loss would let
    // redelivered commands run again).
    auto answer = common::fleet_wire::parse_command_answer(item.dump());
    if (answer) ledger.answers_.push_back(std::move(*answer));
  }
  while (ledger.answers_.size() > capacity) ledger.answers_.pop_front();
  return ledger;
}

std::optional<CommandAnswer> AnsweredCommands::find(std::string_view id) const {
  for (auto it = answers_.rbegin(); it != answers_.rend(); ++it)
    if (it->command_id == id) return *it;
  return std::nullopt;
}

common::Status AnsweredCommands::remember(const CommandAnswer& answer) {
  // The file first: an answer that is not on disk must not be found later either.
  auto kept = answers_;
  kept.push_back(answer);
  while (kept.size() > capacity_) kept.pop_front();
  json document = json::array();
  for (const auto& a : kept) document.push_back(json::parse(common::fleet_wire::to_json(a)));
  if (auto made = common::fs::make_dirs(common::fs::parent_dir(path_)); !made) return made;
  if (auto written = common::fs::atomic_write_file(path_, document.dump()); !written)
    return written;
  answers_ = std::move(kept);
  return {};
}

}  // namespace satellite::fleet
