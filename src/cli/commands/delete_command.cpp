// `gcctl delete TYPE NAME… | TYPE/NAME… | -f FILE|DIR|-`: delete resources.
#include <fmt/format.h>

#include "cli/commands/commands.hpp"
#include "cli/document_reader.hpp"
#include "cli/resource_target.hpp"

namespace cli::commands {
namespace {

using common::ErrorCode;
using common::fail;

struct DeleteFlags {
  std::vector<std::string> args;
  std::vector<std::string> files;
  bool ignore_not_found = false;
  bool dry_run = false;
};

common::Result<std::vector<ResourceTarget>> targets_of(Session& session, const DeleteFlags& flags) {
  if (!flags.files.empty() && !flags.args.empty())
    return fail(ErrorCode::kInvalidArgument, "give -f or TYPE NAME…, not both");
  if (flags.files.empty()) {
    auto targets = parse_targets(flags.args);
    if (!targets) return fail(targets.error());
    for (const auto& target : *targets)
      if (target.name.empty())
        return fail(ErrorCode::kInvalidArgument,
                    fmt::format("name the {} to delete", target.kind->plural));
    return targets;
  }
  std::vector<ResourceTarget> out;
  for (const auto& file : flags.files) {
    auto documents = read_documents(file, session.in());
    if (!documents) return fail(documents.error());
    for (const auto& document : *documents) {
      auto kind = kind_of_document(document.body.value("kind", ""));
      if (!kind)
        return fail(ErrorCode::kInvalidArgument,
                    fmt::format("{}: {}", document.source, kind.error().message()));
      out.push_back({*kind, document.body["metadata"].value("name", "")});
    }
  }
  return out;
}

common::Status remove(Session& session, const DeleteFlags& flags) {
  auto targets = targets_of(session, flags);
  if (!targets) return fail(targets.error());
  auto client = session.client();
  if (!client) return fail(client.error());
  for (const auto& target : *targets) {
    const auto path = target.kind->item_path(url_encode(target.name));
    auto answer = flags.dry_run ? (*client)->get(path) : (*client)->call("DELETE", path);
    if (!answer && answer.error().code() == ErrorCode::kNotFound && flags.ignore_not_found)
      continue;
    if (!answer) return fail(answer.error());
    session.out() << fmt::format("{} \"{}\" deleted{}\n", target.kind->singular, target.name,
                                 flags.dry_run ? " (dry run)" : "");
  }
  return {};
}

}  // namespace

void add_delete_command(CLI::App& app, Session& session) {
  auto flags = std::make_shared<DeleteFlags>();
  auto* cmd = app.add_subcommand("delete", "Delete resources by name or by the files naming them");
  cmd->add_option("TYPE_AND_NAMES", flags->args, "TYPE NAME… or TYPE/NAME…");
  cmd->add_option("-f,--filename", flags->files, "files naming the resources (as apply takes)");
  cmd->add_flag("--ignore-not-found", flags->ignore_not_found, "a missing resource is no error");
  cmd->add_flag("--dry-run", flags->dry_run, "only check that they exist");
  cmd->callback([&session, flags] { session.set_outcome(remove(session, *flags)); });
}

}  // namespace cli::commands
