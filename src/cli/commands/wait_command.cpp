// `gcctl wait TYPE/NAME… --for=… [--timeout 30s]`: read the resources every half second
// until each meets the condition (cli/wait_condition.hpp) or the timeout passes (exit 7).
#include <fmt/format.h>

#include <thread>

#include "cli/commands/commands.hpp"
#include "cli/resource_target.hpp"
#include "cli/wait_condition.hpp"
#include "common/config/duration.hpp"

namespace cli::commands {
namespace {

using common::ErrorCode;
using common::fail;

constexpr auto kPollInterval = std::chrono::milliseconds(500);

struct WaitFlags {
  std::vector<std::string> args;
  std::string condition;
  std::string timeout = "30s";
};

common::Status wait(Session& session, const WaitFlags& flags) {
  auto targets = parse_targets(flags.args);
  if (!targets) return fail(targets.error());
  auto condition = WaitCondition::parse(flags.condition);
  if (!condition) return fail(condition.error());
  auto timeout = common::config::parse_duration(flags.timeout);
  if (!timeout) return fail(ErrorCode::kInvalidArgument, "--timeout: " + timeout.error().message());
  auto client = session.client();
  if (!client) return fail(client.error());
  const auto deadline = std::chrono::steady_clock::now() + *timeout;
  for (const auto& target : *targets) {
    if (target.name.empty())
      return fail(ErrorCode::kInvalidArgument, "name the resources to wait for: TYPE/NAME");
    const auto qualified = fmt::format("{}/{}", target.kind->singular, target.name);
    for (;;) {
      auto item = (*client)->get(target.kind->item_path(url_encode(target.name)));
      const bool gone = !item && item.error().code() == ErrorCode::kNotFound;
      if (!item && !gone) return fail(item.error());
      if (condition->type == WaitCondition::Type::kDelete ? gone
                                                          : item && condition->met_by(*item)) {
        session.out() << qualified << (gone ? " deleted\n" : " condition met\n");
        break;
      }
      if (gone) return fail(ErrorCode::kNotFound, fmt::format("{} not found", qualified));
      if (std::chrono::steady_clock::now() + kPollInterval > deadline)
        return fail(ErrorCode::kTimeout, fmt::format("timed out after {} waiting for {} on {}",
                                                     flags.timeout, flags.condition, qualified));
      std::this_thread::sleep_for(kPollInterval);
    }
  }
  return {};
}

}  // namespace

void add_wait_command(CLI::App& app, Session& session) {
  auto flags = std::make_shared<WaitFlags>();
  auto* cmd = app.add_subcommand("wait", "Wait until resources meet a condition");
  cmd->add_option("TYPE_AND_NAMES", flags->args, "TYPE/NAME… or TYPE NAME…")->required();
  cmd->add_option("--for", flags->condition,
                  "delete, condition=InSync|Online|Approved|… (status.sync, "
                  "status.connectivity, status.phase) or jsonpath={.status.sync}=in-sync")
      ->required();
  cmd->add_option("--timeout", flags->timeout, "give up after this long (exit code 7)")
      ->capture_default_str();
  cmd->callback([&session, flags] { session.set_outcome(wait(session, *flags)); });
}

}  // namespace cli::commands
