// `gcctl edit TYPE NAME | TYPE/NAME`: the resource as YAML in $VISUAL or $EDITOR (else vi);
// what the user changed in labels, annotations and spec is sent as a merge patch checked
// against the version that was edited. When someone else changed the resource meanwhile
// (409), it is read again and the same change applied to the newer version, a few times at
// most. A file left unchanged changes nothing.
#include <fmt/format.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "cli/commands/commands.hpp"
#include "cli/document_reader.hpp"
#include "cli/merge_patch.hpp"
#include "cli/resource_target.hpp"
#include "cli/yaml_json.hpp"

namespace cli::commands {
namespace {

using common::ErrorCode;
using common::fail;
using nlohmann::json;

constexpr int kAttempts = 3;

// The part of a resource the client writes.
json writable_part(const json& resource) {
  json out = {{"metadata", json::object()}, {"spec", resource.value("spec", json::object())}};
  const auto& metadata = resource.value("metadata", json::object());
  out["metadata"]["labels"] = metadata.value("labels", json::object());
  out["metadata"]["annotations"] = metadata.value("annotations", json::object());
  return out;
}

// A temporary file that removes itself.
struct EditFile {
  std::string path;
  ~EditFile() {
    if (!path.empty()) std::filesystem::remove(path);
  }
};

common::Result<std::string> edit_text(const std::string& text, const std::string& name) {
  EditFile file;
  auto pattern =
      (std::filesystem::temp_directory_path() / ("gcctl-edit-" + name + "-XXXXXX.yaml")).string();
  const int fd = ::mkstemps(pattern.data(), 5);
  if (fd < 0) return fail(ErrorCode::kInternal, "cannot make a temporary file to edit");
  file.path = pattern;
  const auto written = ::write(fd, text.data(), text.size());
  ::close(fd);
  if (written != static_cast<ssize_t>(text.size()))
    return fail(ErrorCode::kInternal, "cannot write the temporary file to edit");
  const char* editor = std::getenv("VISUAL");
  if (editor == nullptr || *editor == '\0') editor = std::getenv("EDITOR");
  if (editor == nullptr || *editor == '\0') editor = "vi";
  const auto command = fmt::format("{} '{}'", editor, file.path);
  if (std::system(command.c_str()) != 0)
    return fail(ErrorCode::kInternal,
                fmt::format("the editor ({}) failed; nothing changed", editor));
  std::ifstream in(file.path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

common::Status edit(Session& session, const std::vector<std::string>& args) {
  auto targets = parse_targets(args);
  if (!targets) return fail(targets.error());
  if (targets->size() != 1 || targets->front().name.empty())
    return fail(ErrorCode::kInvalidArgument, "edit one resource: TYPE NAME or TYPE/NAME");
  const auto& target = targets->front();
  const auto path = target.kind->item_path(url_encode(target.name));
  const auto qualified = fmt::format("{}/{}", target.kind->singular, target.name);
  auto client = session.client();
  if (!client) return fail(client.error());
  auto original = (*client)->get(path);
  if (!original) return fail(original.error());
  const auto text = yaml_from_json(*original);
  auto edited_text = edit_text(text, target.name);
  if (!edited_text) return fail(edited_text.error());
  if (*edited_text == text) {
    session.out() << "Edit cancelled, no changes made.\n";
    return {};
  }
  auto edited = parse_documents(*edited_text, "the edited " + qualified);
  if (!edited) return fail(edited.error());
  if (edited->size() != 1)
    return fail(ErrorCode::kInvalidArgument, "the edited file must hold one resource");
  auto patch = merge_patch_between(writable_part(*original), writable_part(edited->front().body));
  if (patch.empty()) {
    session.out() << "Edit cancelled, no changes made.\n";
    return {};
  }
  auto version = (*original)["metadata"].value("resourceVersion", "");
  for (int attempt = 1;; ++attempt) {
    patch["metadata"]["resourceVersion"] = version;
    auto answer = (*client)->call("PATCH", path, {}, patch, "application/merge-patch+json");
    if (answer) break;
    if (answer.error().code() != ErrorCode::kConflict || attempt == kAttempts)
      return fail(answer.error());
    auto current = (*client)->get(path);  // changed meanwhile: apply the edit to the new one
    if (!current) return fail(current.error());
    version = (*current)["metadata"].value("resourceVersion", "");
  }
  session.out() << qualified << " edited\n";
  return {};
}

}  // namespace

void add_edit_command(CLI::App& app, Session& session) {
  auto args = std::make_shared<std::vector<std::string>>();
  auto* cmd = app.add_subcommand("edit", "Edit a resource in $VISUAL or $EDITOR");
  cmd->add_option("TYPE_AND_NAME", *args, "TYPE NAME or TYPE/NAME")->required();
  cmd->callback([&session, args] { session.set_outcome(edit(session, *args)); });
}

}  // namespace cli::commands
