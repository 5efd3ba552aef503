// `gcctl state SATELLITE`: what the satellite should hold against what it last reported,
// per artifact. Desired: the state ground control renders for it (its groups' listed,
// Harbor's and rule-selected artifacts), read from GET /api/v1/satellites/{name}/state.
// Actual: the artifacts of its last status report. One row per artifact: REPOSITORY, TAGS,
// DESIRED digest, REPORTED digest (of the same repository), STATE (present, pulling N%,
// failed, missing, or unwanted for what it holds and should not).
#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "cli/commands/commands.hpp"
#include "cli/resource_kind.hpp"
#include "cli/table_printer.hpp"

namespace cli::commands {
namespace {

using common::fail;
using nlohmann::json;

std::string short_digest(const std::string& digest) {
  return digest.size() > 19 ? digest.substr(0, 19) : digest;
}

std::string state_of(const json& report) {
  const auto state = report.value("state", "");
  if (state == "pulling" && report.value("bytesTotal", 0) > 0)
    return fmt::format("pulling {}%",
                       report.value("bytesDone", 0) * 100 / report.value("bytesTotal", 1));
  if (state == "failed" && report.contains("reason"))
    return "failed: " + report.value("reason", "");
  return state;
}

// The desired state ground control renders for the satellite (GET …/satellites/{name}/state,
// the document the satellite itself polls), keyed by (repository, digest).
common::Result<std::map<std::pair<std::string, std::string>, json>> desired_of(
    ManagementClient& client, const std::string& name, std::vector<std::string>& groups) {
  auto state = client.get(
      fmt::format("{}/state", find_kind("satellite").value()->item_path(url_encode(name))));
  if (!state) return fail(state.error());
  groups = state->value("groups", std::vector<std::string>{});
  std::map<std::pair<std::string, std::string>, json> desired;
  for (const auto& artifact : state->value("artifacts", json::array()))
    desired[{artifact.value("repository", ""), artifact.value("digest", "")}] = artifact;
  return desired;
}

common::Status state(Session& session, const std::string& name) {
  auto client = session.client();
  if (!client) return fail(client.error());
  auto satellite = (*client)->get(find_kind("satellite").value()->item_path(url_encode(name)));
  if (!satellite) return fail(satellite.error());
  std::vector<std::string> groups;
  auto desired = desired_of(**client, name, groups);
  if (!desired) return fail(desired.error());
  const auto status = satellite->value("status", json::object());
  const json::json_pointer artifacts_at("/report/artifacts");
  const auto reported = status.contains(artifacts_at) ? status[artifacts_at] : json::array();

  auto& out = session.out();
  out << fmt::format("Satellite {}: connectivity {}, sync {}, groups {}\n", name,
                     status.value("connectivity", "<none>"), status.value("sync", "<none>"),
                     groups.empty() ? "<none>" : fmt::format("{}", fmt::join(groups, ",")));
  Table table;
  table.headers = {"REPOSITORY", "TAGS", "DESIRED", "REPORTED", "STATE"};
  for (const auto& [key, artifact] : *desired) {
    std::string digest = "<none>", state = "missing";
    for (const auto& report : reported) {
      if (report.value("repository", "") != key.first) continue;
      digest = short_digest(report.value("digest", ""));
      if (report.value("digest", "") == key.second) {
        state = state_of(report);
        break;
      }
    }
    const auto tags = artifact.value("tags", std::vector<std::string>{});
    table.rows.push_back({key.first,
                          tags.empty() ? "<none>" : fmt::format("{}", fmt::join(tags, ",")),
                          short_digest(key.second), digest, state});
  }
  for (const auto& report : reported)
    if (!desired->contains({report.value("repository", ""), report.value("digest", "")}))
      table.rows.push_back({report.value("repository", ""), "<none>", "<none>",
                            short_digest(report.value("digest", "")), "unwanted"});
  if (table.rows.empty()) {
    out << "No artifacts desired or reported.\n";
    return {};
  }
  print_table(out, table, column_widths(table));
  return {};
}

}  // namespace

void add_state_command(CLI::App& app, Session& session) {
  auto name = std::make_shared<std::string>();
  auto* cmd =
      app.add_subcommand("state", "Show a satellite's desired artifacts against what it reported");
  cmd->add_option("SATELLITE", *name, "the satellite")->required();
  cmd->callback([&session, name] { session.set_outcome(state(session, *name)); });
}

}  // namespace cli::commands
