// `gcctl config get-contexts|current-context|use-context NAME`: the contexts in the
// config file.
#include <fmt/format.h>

#include "cli/commands/commands.hpp"
#include "cli/table_printer.hpp"

namespace cli::commands {
namespace {

common::Status get_contexts(Session& session) {
  auto store = session.load_store();
  if (!store) return common::fail(store.error());
  Table table;
  table.headers = {"CURRENT", "NAME", "SERVER", "USER", "LOGGED IN"};
  for (const auto& context : store->contexts())
    table.rows.push_back({context.name == store->current() ? "*" : "", context.name, context.server,
                          context.user, context.token.empty() ? "no" : "yes"});
  print_table(session.out(), table, column_widths(table));
  return {};
}

common::Status current_context(Session& session) {
  auto store = session.load_store();
  if (!store) return common::fail(store.error());
  if (store->current().empty())
    return common::fail(common::ErrorCode::kUnauthenticated, "no current context: run gcctl login");
  session.out() << store->current() << "\n";
  return {};
}

common::Status use_context(Session& session, const std::string& name) {
  auto store = session.load_store();
  if (!store) return common::fail(store.error());
  if (auto used = store->use(name); !used) return used;
  if (auto saved = store->save(); !saved) return saved;
  session.out() << fmt::format("Switched to context \"{}\".\n", name);
  return {};
}

}  // namespace

void add_config_command(CLI::App& app, Session& session) {
  auto* config = app.add_subcommand("config", "Show or switch the saved contexts");
  config->require_subcommand(1);
  config->add_subcommand("get-contexts", "List the contexts")->callback([&session] {
    session.set_outcome(get_contexts(session));
  });
  config->add_subcommand("current-context", "Print the current context")->callback([&session] {
    session.set_outcome(current_context(session));
  });
  auto name = std::make_shared<std::string>();
  auto* use = config->add_subcommand("use-context", "Make a context the current one");
  use->add_option("NAME", *name, "the context")->required();
  use->callback([&session, name] { session.set_outcome(use_context(session, *name)); });
}

}  // namespace cli::commands
