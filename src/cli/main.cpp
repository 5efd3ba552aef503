// gcctl: the kubectl-like command line for ground control's management API. main only
// wires the commands (src/cli/commands/), runs the one asked for and turns its outcome
// into one line on stderr and an exit code (cli/exit_code.hpp, docs/cli.md).
#include <CLI/CLI.hpp>

#include <algorithm>
#include <cstdlib>
#include <iostream>

#include "cli/commands/commands.hpp"
#include "cli/exit_code.hpp"

namespace {

int report(const std::string& message, cli::ExitCode code) {
  auto line = message;
  std::replace(line.begin(), line.end(), '\n', ' ');
  std::cerr << "error: " << line << "\n";
  return static_cast<int>(code);
}

}  // namespace

int main(int argc, char** argv) {
  try {
    cli::Session session(
        cli::ContextStore::default_path(std::getenv("GCCTL_CONFIG"), std::getenv("XDG_CONFIG_HOME"),
                                        std::getenv("HOME")),
        std::cout, std::cerr, std::cin);
    CLI::App app{
        "gcctl: manage a ground control's fleet (satellites, groups, configs, "
        "enrollment requests) through its management API"};
    app.require_subcommand(1);
    app.fallthrough();  // --context and --config after the command too
    app.add_option("--context", session.context_name,
                   "the saved context to use instead of the current one");
    app.add_option("--config", session.config_path,
                   "the contexts file (default: $GCCTL_CONFIG, else "
                   "$XDG_CONFIG_HOME/gcctl/config.yaml or ~/.config/gcctl/config.yaml)");
    app.footer(
        "Exit codes: 0 ok, 1 server or other error, 2 usage or invalid input, 3 "
        "unreachable, 4 not logged in (401), 5 conflict (409), 6 not found, 7 wait "
        "timed out. See docs/cli.md.");
    cli::commands::add_login_commands(app, session);
    cli::commands::add_config_command(app, session);
    cli::commands::add_get_command(app, session);
    cli::commands::add_describe_command(app, session);
    cli::commands::add_apply_command(app, session);
    cli::commands::add_delete_command(app, session);
    cli::commands::add_edit_command(app, session);
    cli::commands::add_approval_commands(app, session);
    cli::commands::add_token_command(app, session);
    cli::commands::add_state_command(app, session);
    cli::commands::add_command_command(app, session);
    cli::commands::add_wait_command(app, session);
    cli::commands::add_user_command(app, session);
    cli::commands::add_completion_command(app, session);  // last: it lists the others
    try {
      app.parse(argc, argv);
    } catch (const CLI::ParseError& error) {
      if (error.get_exit_code() == 0) return app.exit(error);  // --help
      return report(error.what(), cli::ExitCode::kUsage);
    }
    const auto& outcome = session.outcome();
    if (outcome) return 0;
    return report(outcome.error().message(), cli::exit_code_for(outcome.error().code()));
  } catch (const std::exception& error) {
    return report(std::string("unexpected failure: ") + error.what(), cli::ExitCode::kGeneral);
  }
}
