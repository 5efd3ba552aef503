// `gcctl apply -f FILE|DIR|-`: make ground control hold what the documents say. A resource
// that does not exist is created; one that differs (cli/resource_diff.hpp) is replaced
// (PUT) with the resourceVersion the document carries, else the one just read, so a
// concurrent change between the read and the write is a 409, not a lost update; one that
// does not differ is left alone. --dry-run reads only and prints what would change.
#include <fmt/format.h>

#include <optional>
#include <string>

#include "cli/commands/commands.hpp"
#include "cli/document_reader.hpp"
#include "cli/output_format.hpp"
#include "cli/resource_diff.hpp"

namespace cli::commands {
namespace {

using common::ErrorCode;
using common::fail;
using nlohmann::json;

struct ApplyFlags {
  std::vector<std::string> files;
  bool dry_run = false;
};

// What the client may write: the document without the server's fields.
json writable(json document) {
  document.erase("status");
  if (document.contains("metadata") && document["metadata"].is_object())
    for (const auto* key : {"uid", "generation", "creationTimestamp", "resourceVersion"})
      document["metadata"].erase(key);
  return document;
}

// The resourceVersion a file names itself, which must still be the server's (else 409).
// YAML reads an unquoted `resourceVersion: 42` as a number: it names that version all the same.
std::optional<std::string> pinned_version(const json& body) {
  const json::json_pointer at("/metadata/resourceVersion");
  if (!body.contains(at)) return std::nullopt;
  if (body[at].is_string()) return body[at].get<std::string>();
  if (body[at].is_number_integer()) return std::to_string(body[at].get<std::int64_t>());
  return std::nullopt;
}

common::Status apply_one(Session& session, ManagementClient& client, const Document& document,
                         bool dry_run) {
  auto kind = kind_of_document(document.body.value("kind", ""));
  if (!kind)
    return fail(ErrorCode::kInvalidArgument,
                fmt::format("{}: {}", document.source, kind.error().message()));
  const auto name = document.body["metadata"].value("name", "");
  const auto qualified = qualified_name(**kind, document.body);
  const auto suffix = dry_run ? " (dry run)" : "";
  auto live = client.get((*kind)->item_path(url_encode(name)));
  if (!live && live.error().code() != ErrorCode::kNotFound) return fail(live.error());
  if (!live) {
    if (!dry_run) {
      auto created = client.call("POST", (*kind)->collection_path(), {}, writable(document.body));
      if (!created)
        return fail(created.error().code(),
                    fmt::format("{}: {}", qualified, created.error().message()));
    }
    session.out() << qualified << " created" << suffix << "\n";
    return {};
  }
  const auto changes = resource_changes(document.body, *live);
  if (changes.empty()) {
    session.out() << qualified << " unchanged" << suffix << "\n";
    return {};
  }
  if (dry_run) {
    session.out() << qualified << " configured" << suffix << "\n";
    for (const auto& change : changes) session.out() << "  " << change << "\n";
    return {};
  }
  auto body = writable(document.body);
  const json::json_pointer version("/metadata/resourceVersion");
  const auto pinned = pinned_version(document.body);
  body["metadata"]["resourceVersion"] = pinned ? json(*pinned) : (*live)[version];
  auto replaced = client.call("PUT", (*kind)->item_path(url_encode(name)), {}, body);
  if (!replaced)
    return fail(replaced.error().code(),
                fmt::format("{}: {}", qualified, replaced.error().message()));
  session.out() << qualified << " configured\n";
  return {};
}

common::Status apply(Session& session, const ApplyFlags& flags) {
  std::vector<Document> documents;
  for (const auto& file : flags.files) {
    auto read = read_documents(file, session.in());
    if (!read) return fail(read.error());
    for (auto& document : *read) documents.push_back(std::move(document));
  }
  // Every document names a known kind before anything is written.
  for (const auto& document : documents)
    if (auto kind = kind_of_document(document.body.value("kind", "")); !kind)
      return fail(ErrorCode::kInvalidArgument,
                  fmt::format("{}: {}", document.source, kind.error().message()));
  auto client = session.client();
  if (!client) return fail(client.error());
  for (const auto& document : documents)
    if (auto applied = apply_one(session, **client, document, flags.dry_run); !applied)
      return applied;
  return {};
}

}  // namespace

void add_apply_command(CLI::App& app, Session& session) {
  auto flags = std::make_shared<ApplyFlags>();
  auto* cmd = app.add_subcommand("apply", "Create or update resources from YAML or JSON files");
  cmd->add_option("-f,--filename", flags->files,
                  "a file, a directory of .yaml/.yml/.json files, or - for stdin")
      ->required();
  cmd->add_flag("--dry-run", flags->dry_run, "only print what would change");
  cmd->footer(
      "Prints `KIND/NAME created|configured|unchanged` per resource. A document's "
      "metadata.resourceVersion, when set, must still be the server's (else 409).");
  cmd->callback([&session, flags] { session.set_outcome(apply(session, *flags)); });
}

}  // namespace cli::commands
