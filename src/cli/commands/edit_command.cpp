// `gcctl edit TYPE NAME | TYPE/NAME`: the resource as YAML in $VISUAL or $EDITOR (else vi);
// what the user changed in labels, annotations and spec is sent as a merge patch checked
// against the version that was edited. When someone else changed the resource meanwhile
// (409), it is read again: if they changed none of the fields the user changed, the same
// change is applied to the newer version (a few times at most); else it is a conflict (5)
// naming those fields. A file left unchanged changes nothing; an edit that does not parse
// or could not be applied is kept in its file, which the error names.
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <utility>

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

// The file the user edits: removed when the edit is done with, kept when it could not be
// applied (it does not parse, or the server changed what it changes) so no work is lost.
class EditFile {
 public:
  static common::Result<EditFile> create(const std::string& text, const std::string& name) {
    auto pattern =
        (std::filesystem::temp_directory_path() / ("gcctl-edit-" + name + "-XXXXXX.yaml")).string();
    const int fd = ::mkstemps(pattern.data(), 5);
    if (fd < 0) return fail(ErrorCode::kInternal, "cannot make a temporary file to edit");
    EditFile file(pattern);
    const auto written = ::write(fd, text.data(), text.size());
    ::close(fd);
    if (written != static_cast<ssize_t>(text.size()))
      return fail(ErrorCode::kInternal, "cannot write the temporary file to edit");
    return file;
  }
  EditFile(EditFile&& other) noexcept : path_(std::exchange(other.path_, {})) {}
  EditFile& operator=(EditFile&&) = delete;
  ~EditFile() {
    if (!path_.empty()) std::filesystem::remove(path_);
  }
  [[nodiscard]] const std::string& path() const { return path_; }
  // Leaves the file in place and returns `error` with a note naming it.
  [[nodiscard]] common::Error keep(const common::Error& error) && {
    auto kept = std::exchange(path_, {});
    return common::Error(error.code(),
                         fmt::format("{}; your edit is kept in {}", error.message(), kept));
  }

 private:
  explicit EditFile(std::string path) : path_(std::move(path)) {}
  std::string path_;
};

common::Result<std::string> run_editor(const EditFile& file) {
  const char* editor = std::getenv("VISUAL");
  if (editor == nullptr || *editor == '\0') editor = std::getenv("EDITOR");
  if (editor == nullptr || *editor == '\0') editor = "vi";
  const auto command = fmt::format("{} '{}'", editor, file.path());
  if (std::system(command.c_str()) != 0)
    return fail(ErrorCode::kInternal,
                fmt::format("the editor ({}) failed; nothing changed", editor));
  std::ifstream in(file.path(), std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// Sends `changes` (a merge patch against `original`) checked against the version edited.
// After a 409 the resource is read again: when nothing `changes` replaces was changed by
// someone else, the same patch goes to the newer version; otherwise sending it would
// overwrite their change (a merge patch replaces arrays whole), so it is a conflict.
common::Status send_edit(ManagementClient& client, const std::string& path,
                         const std::string& qualified, const json& original, const json& changes) {
  auto version = original["metadata"].value("resourceVersion", "");
  for (int attempt = 1;; ++attempt) {
    auto request = changes;
    request["metadata"]["resourceVersion"] = version;
    auto answer = client.call("PATCH", path, {}, request, "application/merge-patch+json");
    if (answer) return {};
    if (answer.error().code() != ErrorCode::kConflict || attempt == kAttempts)
      return fail(answer.error());
    auto current = client.get(path);
    if (!current) return fail(current.error());
    const auto conflicts =
        merge_patch_conflicts(changes, writable_part(original), writable_part(*current));
    if (!conflicts.empty())
      return fail(ErrorCode::kConflict,
                  fmt::format("{} was changed by someone else while you edited it, in {}",
                              qualified, fmt::join(conflicts, ", ")));
    version = (*current)["metadata"].value("resourceVersion", "");
  }
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
  auto file = EditFile::create(text, target.name);
  if (!file) return fail(file.error());
  auto edited_text = run_editor(*file);
  if (!edited_text) return fail(edited_text.error());
  if (*edited_text == text) {
    session.out() << "Edit cancelled, no changes made.\n";
    return {};
  }
  auto edited = parse_documents(*edited_text, "the edited " + qualified);
  if (!edited) return fail(std::move(*file).keep(edited.error()));
  if (edited->size() != 1)
    return fail(std::move(*file).keep(
        common::Error(ErrorCode::kInvalidArgument, "the edited file must hold one resource")));
  auto changes = merge_patch_between(writable_part(*original), writable_part(edited->front().body));
  if (changes.empty()) {
    session.out() << "Edit cancelled, no changes made.\n";
    return {};
  }
  if (auto sent = send_edit(**client, path, qualified, *original, changes); !sent)
    return fail(std::move(*file).keep(sent.error()));
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
