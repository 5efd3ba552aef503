// `gcctl token SATELLITE [-o yaml|json]`: a new one-time enrollment token for a satellite
// (the last one it had stops working). Prints the token alone, for scripts.
#include <fmt/format.h>

#include "cli/commands/commands.hpp"
#include "cli/yaml_json.hpp"

namespace cli::commands {
namespace {

struct TokenFlags {
  std::string satellite;
  std::string output;
};

common::Status issue(Session& session, const TokenFlags& flags) {
  if (!flags.output.empty() && flags.output != "yaml" && flags.output != "json")
    return common::fail(common::ErrorCode::kInvalidArgument,
                        fmt::format("-o {}: expected yaml or json", flags.output));
  auto client = session.client();
  if (!client) return common::fail(client.error());
  auto answer = (*client)->call(
      "POST", fmt::format("/api/v1/satellites/{}/token", url_encode(flags.satellite)));
  if (!answer) return common::fail(answer.error());
  if (flags.output == "yaml")
    session.out() << yaml_from_json(*answer);
  else if (flags.output == "json")
    session.out() << answer->dump(2) << "\n";
  else
    session.out() << answer->value("token", "") << "\n";
  return {};
}

}  // namespace

void add_token_command(CLI::App& app, Session& session) {
  auto flags = std::make_shared<TokenFlags>();
  auto* cmd = app.add_subcommand(
      "token", "Issue a satellite's one-time enrollment token (voids the one before)");
  cmd->add_option("SATELLITE", flags->satellite, "the satellite")->required();
  cmd->add_option("-o,--output", flags->output, "yaml or json: with its expiry");
  cmd->callback([&session, flags] { session.set_outcome(issue(session, *flags)); });
}

}  // namespace cli::commands
