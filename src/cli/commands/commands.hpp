// gcctl's commands: each add_*_command() adds one subcommand (or a family: login and
// logout, approve and deny) to the root App with its flags and help; its callback runs the
// command against the Session and stores the outcome there. main only calls these.
// Thread-safety: registration and the run happen on main's thread.
#pragma once

#include <CLI/CLI.hpp>

#include "cli/session.hpp"

namespace cli::commands {

void add_login_commands(CLI::App& app, Session& session);      // login, logout
void add_config_command(CLI::App& app, Session& session);      // config get-contexts|use-context
void add_get_command(CLI::App& app, Session& session);         // get (and get -w)
void add_describe_command(CLI::App& app, Session& session);    // describe
void add_apply_command(CLI::App& app, Session& session);       // apply -f
void add_delete_command(CLI::App& app, Session& session);      // delete
void add_edit_command(CLI::App& app, Session& session);        // edit
void add_approval_commands(CLI::App& app, Session& session);   // approve, deny
void add_token_command(CLI::App& app, Session& session);       // token
void add_state_command(CLI::App& app, Session& session);       // state
void add_command_command(CLI::App& app, Session& session);     // command
void add_wait_command(CLI::App& app, Session& session);        // wait
void add_user_command(CLI::App& app, Session& session);        // user create|passwd|set-role
void add_completion_command(CLI::App& app, Session& session);  // completion bash|zsh

}  // namespace cli::commands
