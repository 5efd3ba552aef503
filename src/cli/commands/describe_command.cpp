// `gcctl describe TYPE NAME… | TYPE/NAME…`: one resource for people: its metadata, spec
// and status as indented YAML, and its latest audit events.
#include <fmt/format.h>

#include <sstream>

#include "cli/commands/commands.hpp"
#include "cli/resource_target.hpp"
#include "cli/table_printer.hpp"
#include "cli/yaml_json.hpp"

namespace cli::commands {
namespace {

using common::fail;
using nlohmann::json;

constexpr std::size_t kEventsShown = 10;

std::string indented(const json& value) {
  if (value.is_null() || (value.is_object() && value.empty())) return "  <none>\n";
  std::istringstream lines(yaml_from_json(value));
  std::string out;
  for (std::string line; std::getline(lines, line);) out += "  " + line + "\n";
  return out;
}

std::string pairs(const json& object) {
  if (!object.is_object() || object.empty()) return "<none>";
  std::string out;
  for (const auto& [key, value] : object.items())
    out += (out.empty() ? "" : ", ") + key + "=" + value.get<std::string>();
  return out;
}

void print_events(Session& session, ManagementClient& client, const ResourceKind& kind,
                  const std::string& name) {
  auto events = client.get("/api/v1/events", {{"kind", std::string(kind.kind)}, {"name", name}});
  session.out() << "Events:\n";
  if (!events || (*events)["items"].empty()) {
    session.out() << "  <none>\n";
    return;
  }
  const auto& items = (*events)["items"];
  Table table;
  table.headers = {"AGE", "ACTOR", "VERB", "MESSAGE"};
  const auto first = items.size() > kEventsShown ? items.size() - kEventsShown : 0;
  for (std::size_t i = first; i < items.size(); ++i)
    table.rows.push_back({format_age(items[i].value("time", ""), session.now()),
                          items[i].value("actor", ""), items[i].value("verb", ""),
                          items[i].value("message", "")});
  std::ostringstream text;
  print_table(text, table, column_widths(table));
  std::istringstream lines(text.str());
  for (std::string line; std::getline(lines, line);) session.out() << "  " << line << "\n";
}

void describe_one(Session& session, ManagementClient& client, const ResourceKind& kind,
                  const json& item) {
  const auto& metadata = item["metadata"];
  const auto created = metadata.value("creationTimestamp", "");
  auto& out = session.out();
  out << fmt::format("{:<18}{}\n", "Name:", metadata.value("name", ""));
  out << fmt::format("{:<18}{}\n", "Kind:", kind.kind);
  out << fmt::format("{:<18}{}\n", "Labels:", pairs(metadata.value("labels", json::object())));
  out << fmt::format("{:<18}{}\n",
                     "Annotations:", pairs(metadata.value("annotations", json::object())));
  out << fmt::format("{:<18}{} ({} ago)\n", "Created:", created,
                     format_age(created, session.now()));
  out << fmt::format("{:<18}{}\n", "Resource Version:", metadata.value("resourceVersion", ""));
  out << fmt::format("{:<18}{}\n", "Generation:", metadata.value("generation", 0));
  out << "Spec:\n" << indented(item.value("spec", json::object()));
  out << "Status:\n" << indented(item.value("status", json::object()));
  print_events(session, client, kind, metadata.value("name", ""));
}

common::Status describe(Session& session, const std::vector<std::string>& args) {
  auto targets = parse_targets(args);
  if (!targets) return fail(targets.error());
  auto client = session.client();
  if (!client) return fail(client.error());
  bool first = true;
  for (const auto& target : *targets) {
    std::vector<json> items;
    if (target.name.empty()) {
      auto listed = (*client)->get(target.kind->collection_path(), {{"limit", "10000"}});
      if (!listed) return fail(listed.error());
      for (auto& item : (*listed)["items"]) items.push_back(std::move(item));
    } else {
      auto item = (*client)->get(target.kind->item_path(url_encode(target.name)));
      if (!item) return fail(item.error());
      items.push_back(std::move(*item));
    }
    for (const auto& item : items) {
      if (!first) session.out() << "\n";
      first = false;
      describe_one(session, **client, *target.kind, item);
    }
  }
  return {};
}

}  // namespace

void add_describe_command(CLI::App& app, Session& session) {
  auto args = std::make_shared<std::vector<std::string>>();
  auto* cmd = app.add_subcommand("describe", "Show resources in detail, with their events");
  cmd->add_option("TYPE_AND_NAMES", *args, "TYPE [NAME…] or TYPE/NAME…")->required();
  cmd->callback([&session, args] { session.set_outcome(describe(session, *args)); });
}

}  // namespace cli::commands
