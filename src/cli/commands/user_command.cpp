// `gcctl user create|passwd|set-role`: the users of a ground control, with their passwords
// read as `login` reads one (asked on the terminal with echo off, or --password-stdin), so a
// password never sits in a file or the shell's history. Listing and deleting are the
// generic `gcctl get users` and `gcctl delete user NAME`.
#include <fmt/format.h>

#include "cli/commands/commands.hpp"
#include "cli/password_prompt.hpp"

namespace cli::commands {
namespace {

using common::ErrorCode;
using common::fail;
using nlohmann::json;

struct UserFlags {
  std::string name;
  std::string role;
  bool password_stdin = false;
};

// A new password: asked twice on a terminal (a typo would lock the user out), one line of
// stdin otherwise.
common::Result<std::string> new_password(Session& session, bool from_stdin) {
  auto password = read_password(session, from_stdin, "New password");
  if (!password) return password;
  if (password->empty()) return fail(ErrorCode::kInvalidArgument, "the password is empty");
  if (from_stdin) return password;
  auto again = read_password(session, false, "Retype new password");
  if (!again) return again;
  if (*again != *password) return fail(ErrorCode::kInvalidArgument, "the passwords differ");
  return password;
}

std::string user_path(const std::string& name) {
  return "/api/v1/users/" + url_encode(name);
}

common::Status create(Session& session, const UserFlags& flags) {
  auto client = session.client();
  if (!client) return fail(client.error());
  auto password = new_password(session, flags.password_stdin);
  if (!password) return fail(password.error());
  const json body{{"apiVersion", "groundcontrol/v1"},
                  {"kind", "User"},
                  {"metadata", {{"name", flags.name}}},
                  {"spec", {{"password", *password}, {"role", flags.role}}}};
  auto created = (*client)->call("POST", "/api/v1/users", {}, body);
  if (!created) return fail(created.error());
  session.out() << fmt::format("user/{} created ({})\n", flags.name, flags.role);
  return {};
}

// Your own password (NAME absent or yours) takes the current one first: with
// --password-stdin, the current on the first line and the new on the second.
common::Status passwd(Session& session, const UserFlags& flags) {
  auto store = session.load_store();
  if (!store) return fail(store.error());
  auto context = store->select(session.context_name);
  if (!context) return fail(context.error());
  const auto name = flags.name.empty() ? context->user : flags.name;
  if (name.empty()) return fail(ErrorCode::kInvalidArgument, "name the user");
  auto client = session.client();
  if (!client) return fail(client.error());
  json spec = json::object();
  if (name == context->user) {
    auto current = read_password(session, flags.password_stdin, "Current password");
    if (!current) return fail(current.error());
    spec["currentPassword"] = *current;
  }
  auto password = new_password(session, flags.password_stdin);
  if (!password) return fail(password.error());
  spec["password"] = *password;
  auto changed = (*client)->call("PATCH", user_path(name), {}, json{{"spec", spec}},
                                 "application/merge-patch+json");
  if (!changed) return fail(changed.error());
  session.out() << fmt::format(
      "user/{} password changed{}\n", name,
      name == context->user ? "; your other sessions ended" : "; the user's sessions ended");
  return {};
}

common::Status set_role(Session& session, const UserFlags& flags) {
  auto client = session.client();
  if (!client) return fail(client.error());
  auto changed =
      (*client)->call("PATCH", user_path(flags.name), {}, json{{"spec", {{"role", flags.role}}}},
                      "application/merge-patch+json");
  if (!changed) return fail(changed.error());
  session.out() << fmt::format("user/{} is now {}\n", flags.name,
                               changed->value(json::json_pointer("/spec/role"), flags.role));
  return {};
}

}  // namespace

void add_user_command(CLI::App& app, Session& session) {
  auto* user = app.add_subcommand("user", "Create users, change passwords and roles");
  user->require_subcommand(1);
  user->footer("List with `gcctl get users`, delete with `gcctl delete user NAME`.");
  const auto roles = CLI::IsMember({"viewer", "admin"});

  auto created = std::make_shared<UserFlags>();
  auto* create_cmd = user->add_subcommand("create", "Create a user (asks for its password)");
  create_cmd->add_option("NAME", created->name, "the user's name")->required();
  create_cmd->add_option("--role", created->role, "viewer (read only) or admin")
      ->default_val("viewer")
      ->check(roles);
  create_cmd->add_flag("--password-stdin", created->password_stdin,
                       "read the password from stdin's first line");
  create_cmd->callback([&session, created] { session.set_outcome(create(session, *created)); });

  auto changed = std::make_shared<UserFlags>();
  auto* passwd_cmd =
      user->add_subcommand("passwd", "Change a password (yours unless NAME names another)");
  passwd_cmd->add_option("NAME", changed->name, "the user (default: the context's)");
  passwd_cmd->add_flag("--password-stdin", changed->password_stdin,
                       "read the passwords from stdin: your current one first when it is yours");
  passwd_cmd->footer(
      "A new password ends the user's other sessions. Changing another user's password "
      "needs an admin.");
  passwd_cmd->callback([&session, changed] { session.set_outcome(passwd(session, *changed)); });

  auto role = std::make_shared<UserFlags>();
  auto* role_cmd = user->add_subcommand("set-role", "Make a user an admin or a viewer (admin)");
  role_cmd->add_option("NAME", role->name, "the user")->required();
  role_cmd->add_option("ROLE", role->role, "viewer or admin")->required()->check(roles);
  role_cmd->callback([&session, role] { session.set_outcome(set_role(session, *role)); });
}

}  // namespace cli::commands
