// `gcctl completion bash|zsh`: a shell completion script made from the command tree itself
// (commands, their flags, resource types, and resource names read with `gcctl get TYPE -o
// name` as one types). zsh uses the same function through bashcompinit.
//   source <(gcctl completion bash)        # or: gcctl completion zsh > "${fpath[1]}/_gcctl"
#include <fmt/format.h>
#include <fmt/ranges.h>

#include "cli/commands/commands.hpp"
#include "cli/resource_kind.hpp"

namespace cli::commands {
namespace {

std::string words_of(const CLI::App& command) {
  std::vector<std::string> words;
  for (const auto* sub : command.get_subcommands({})) words.push_back(sub->get_name());
  for (const auto* option : command.get_options()) {
    for (const auto& name : option->get_lnames()) words.push_back("--" + name);
    for (const auto& name : option->get_snames()) words.push_back("-" + name);
  }
  return fmt::format("{}", fmt::join(words, " "));
}

std::string bash_script(const CLI::App& root) {
  std::vector<std::string> kinds;
  for (const auto& kind : resource_kinds()) {
    kinds.emplace_back(kind.plural);
    kinds.emplace_back(kind.singular);
    kinds.emplace_back(kind.alias);
  }
  std::string cases;
  for (const auto* command : root.get_subcommands({})) {
    cases += fmt::format("    {}) words=\"{}\" ;;\n", command->get_name(), words_of(*command));
  }
  return fmt::format(R"sh(# gcctl completion for bash (and zsh through bashcompinit)
_gcctl() {{
  local cur="${{COMP_WORDS[COMP_CWORD]}}" prev="${{COMP_WORDS[COMP_CWORD-1]}}" command="" words
  local kinds="{kinds}"
  local w
  for w in "${{COMP_WORDS[@]:1:COMP_CWORD-1}}"; do
    case "$w" in -*) ;; *) [ -z "$command" ] && command="$w" ;; esac
  done
  case "$command" in
    "") words="{root}" ;;
{cases}  esac
  case "$command" in
    get|describe|delete|edit|wait)
      if [[ " $kinds " == *" $prev "* ]]; then
        words="$words $(gcctl get "$prev" -o name 2>/dev/null | sed 's|.*/||')"
      elif [[ "$prev" == "$command" ]]; then
        words="$words $kinds"
      fi ;;
    approve|deny) words="$words $(gcctl get er -o name 2>/dev/null | sed 's|.*/||')" ;;
    state|token) words="$words $(gcctl get sat -o name 2>/dev/null | sed 's|.*/||')" ;;
  esac
  COMPREPLY=($(compgen -W "$words" -- "$cur"))
}}
complete -F _gcctl gcctl
)sh",
                     fmt::arg("kinds", fmt::join(kinds, " ")), fmt::arg("root", words_of(root)),
                     fmt::arg("cases", cases));
}

common::Status completion(Session& session, const CLI::App& root, const std::string& shell) {
  if (shell == "bash") {
    session.out() << bash_script(root);
  } else if (shell == "zsh") {
    session.out() << "#compdef gcctl\nautoload -U +X bashcompinit && bashcompinit\n"
                  << bash_script(root);
  } else {
    return common::fail(common::ErrorCode::kInvalidArgument,
                        fmt::format("completion {}: expected bash or zsh", shell));
  }
  return {};
}

}  // namespace

void add_completion_command(CLI::App& app, Session& session) {
  auto shell = std::make_shared<std::string>();
  auto* cmd = app.add_subcommand("completion", "Print a shell completion script (bash or zsh)");
  cmd->add_option("SHELL", *shell, "bash or zsh")->required();
  cmd->footer("bash: source <(gcctl completion bash); zsh: source <(gcctl completion zsh)");
  const CLI::App* root = &app;
  cmd->callback(
      [&session, root, shell] { session.set_outcome(completion(session, *root, *shell)); });
}

}  // namespace cli::commands
