// `gcctl command SATELLITE [TYPE] [--ttl 10m] [--wait [--timeout 60s]]`: the commands sent to
// a satellite over NATS (docs/nats.md). Without TYPE, its commands newest first (ID, TYPE,
// PHASE, CREATED, ANSWERED, REASON). With TYPE (sync.state, report.status,
// refresh.credentials, collect.garbage, rewrite.runtimes), issues one and prints its id;
// with --wait, follows it every half second until it is answered: Done exits 0, Failed or
// Expired exit 1 with the reason, and the timeout exits 7.
#include <fmt/format.h>

#include <chrono>
#include <thread>

#include "cli/commands/commands.hpp"
#include "cli/resource_kind.hpp"
#include "cli/table_printer.hpp"
#include "common/config/duration.hpp"

namespace cli::commands {
namespace {

using common::ErrorCode;
using common::fail;
using nlohmann::json;

constexpr auto kPollInterval = std::chrono::milliseconds(500);

struct CommandFlags {
  std::string satellite;
  std::string type;
  std::string ttl;
  bool wait = false;
  std::string timeout = "60s";
};

std::string commands_path(const std::string& satellite) {
  return find_kind("satellite").value()->item_path(url_encode(satellite)) + "/commands";
}

common::Status list(Session& session, ManagementClient& client, const CommandFlags& flags) {
  auto listed = client.get(commands_path(flags.satellite));
  if (!listed) return fail(listed.error());
  auto& out = session.out();
  const auto& items = (*listed)["items"];
  if (items.empty()) {
    out << fmt::format("No commands sent to {}.\n", flags.satellite);
    return {};
  }
  Table table;
  table.headers = {"ID", "TYPE", "PHASE", "CREATED", "ANSWERED", "REASON"};
  for (const auto& c : items)
    table.rows.push_back({c.value("id", ""), c.value("type", ""), c.value("phase", ""),
                          c.value("createdAt", ""), c.value("answeredAt", "<none>"),
                          c.value("reason", "")});
  print_table(out, table, column_widths(table));
  return {};
}

common::Status issue(Session& session, ManagementClient& client, const CommandFlags& flags) {
  json body{{"type", flags.type}};
  if (!flags.ttl.empty()) {
    auto ttl = common::config::parse_duration(flags.ttl);
    if (!ttl) return fail(ErrorCode::kInvalidArgument, "--ttl: " + ttl.error().message());
    body["ttlSeconds"] = ttl->count();
  }
  std::optional<std::chrono::seconds> timeout;
  if (flags.wait) {
    auto parsed = common::config::parse_duration(flags.timeout);
    if (!parsed) return fail(ErrorCode::kInvalidArgument, "--timeout: " + parsed.error().message());
    timeout = *parsed;
  }
  auto issued = client.call("POST", commands_path(flags.satellite), {}, body);
  if (!issued) return fail(issued.error());
  const auto id = issued->value("id", "");
  auto& out = session.out();
  out << fmt::format("command/{} ({}) {}\n", id, flags.type, issued->value("phase", ""));
  if (!timeout) return {};
  const auto deadline = std::chrono::steady_clock::now() + *timeout;
  for (;;) {
    auto got = client.get(commands_path(flags.satellite) + "/" + url_encode(id));
    if (!got) return fail(got.error());
    const auto phase = got->value("phase", "");
    if (phase == "Done") {
      out << fmt::format("command/{} Done\n", id);
      return {};
    }
    if (phase == "Failed" || phase == "Expired")
      return fail(ErrorCode::kInternal,
                  fmt::format("command/{} {}: {}", id, phase, got->value("reason", "")));
    if (std::chrono::steady_clock::now() >= deadline)
      return fail(ErrorCode::kTimeout,
                  fmt::format("command/{} still {} after {}", id, phase, flags.timeout));
    std::this_thread::sleep_for(kPollInterval);
  }
}

}  // namespace

void add_command_command(CLI::App& app, Session& session) {
  auto flags = std::make_shared<CommandFlags>();
  auto* cmd = app.add_subcommand(
      "command", "List a satellite's NATS commands, or send one (TYPE) and optionally wait");
  cmd->add_option("SATELLITE", flags->satellite, "the satellite")->required();
  cmd->add_option("TYPE", flags->type,
                  "sync.state, report.status, refresh.credentials, collect.garbage or "
                  "rewrite.runtimes");
  cmd->add_option("--ttl", flags->ttl, "expire unanswered after this long (default: server's)");
  cmd->add_flag("--wait", flags->wait, "follow the command until it is answered");
  cmd->add_option("--timeout", flags->timeout, "with --wait: give up after this long (exit 7)")
      ->capture_default_str();
  cmd->callback([&session, flags] {
    if (flags->type.empty() && (flags->wait || !flags->ttl.empty()))
      return session.set_outcome(
          fail(ErrorCode::kInvalidArgument, "--wait and --ttl need a command TYPE to send"));
    auto client = session.client();
    if (!client) return session.set_outcome(fail(client.error()));
    session.set_outcome(flags->type.empty() ? list(session, **client, *flags)
                                            : issue(session, **client, *flags));
  });
}

}  // namespace cli::commands
