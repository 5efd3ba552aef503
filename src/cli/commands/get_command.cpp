// `gcctl get TYPE [NAME…] | TYPE/NAME…`: read resources and print them (-o), every page of
// a list; with -w, then follow the changes (list, then a watch stream from the list's
// revision), one row per change as it happens.
#include <fmt/format.h>

#include <algorithm>
#include <ostream>

#include "cli/commands/commands.hpp"
#include "cli/output_format.hpp"
#include "cli/resource_lister.hpp"
#include "cli/resource_target.hpp"
#include "cli/yaml_json.hpp"

namespace cli::commands {
namespace {

using common::ErrorCode;
using common::fail;
using nlohmann::json;

struct GetFlags {
  std::vector<std::string> args;
  ListOptions list;
  std::string output;
  bool watch = false;
  std::vector<std::string> label_columns;
};

struct Printing {
  OutputFormat format;
  TableOptions table;
};

// Prints one changed resource as `get -w` shows it.
void print_change(Session& session, const ResourceKind& kind, const Printing& printing,
                  const json& object, const std::vector<std::size_t>& widths) {
  const std::vector<json> one{object};
  switch (printing.format) {
    case OutputFormat::kTable:
    case OutputFormat::kWide: {
      auto options = printing.table;
      options.now = session.now();
      options.wide = printing.format == OutputFormat::kWide;
      print_table(session.out(), make_table(kind, one, options), widths, false);
      break;
    }
    case OutputFormat::kYaml:
      session.out() << "---\n" << yaml_from_json(object);
      break;
    default:
      print_resources(session.out(), kind, one, printing.format, printing.table, true);
  }
  session.out() << std::flush;
}

// Follows `kind`'s changes from revision `version`, printing each changed resource (only
// those in `names` when given) as its event arrives on the watch stream, until the process
// is stopped or a request fails. A stream the server ends is opened again from the last
// revision seen; one whose revision is too old (410, or an ERROR event saying GONE) lists
// again.
common::Status follow(Session& session, ManagementClient& client, const ResourceKind& kind,
                      const GetFlags& flags, const Printing& printing, std::string version,
                      const std::vector<std::size_t>& widths) {
  const auto names = flags.args.size() > 1
                         ? std::vector<std::string>(flags.args.begin() + 1, flags.args.end())
                         : std::vector<std::string>{};
  for (;;) {
    Query query{{"watch", "true"}, {"resourceVersion", version}};
    if (!flags.list.label_selector.empty())
      query.emplace_back("labelSelector", flags.list.label_selector);
    auto streamed =
        client.stream(kind.collection_path(), query, [&](const json& event) -> common::Status {
          const auto type = event.value("type", "");
          const auto& object = event.contains("object") ? event["object"] : json::object();
          if (type == "ERROR") {
            const auto error = object.value("error", json::object());
            return fail(error.value("code", "") == "GONE" ? ErrorCode::kGone : ErrorCode::kInternal,
                        error.value("message", "the watch failed"));
          }
          version = object.value("metadata", json::object()).value("resourceVersion", version);
          if (type == "BOOKMARK") return common::Status{};
          const auto name = object["metadata"].value("name", "");
          if (names.empty() || std::find(names.begin(), names.end(), name) != names.end())
            print_change(session, kind, printing, object, widths);
          return common::Status{};
        });
    if (!streamed && streamed.error().code() == ErrorCode::kGone) {  // too old: list again
      auto listed = list_resources(client, kind, flags.list);
      if (!listed) return fail(listed.error());
      version = listed->resource_version;
      continue;
    }
    if (!streamed) return streamed;
  }
}

common::Status get(Session& session, const GetFlags& flags) {
  auto targets = parse_targets(flags.args);
  if (!targets) return fail(targets.error());
  auto format = parse_output_format(flags.output);
  if (!format) return fail(format.error());
  if (flags.list.page_size < 1 || flags.list.page_size > 10000)
    return fail(ErrorCode::kInvalidArgument, "--limit: 1 to 10000");
  const auto* kind = targets->front().kind;
  const bool by_name = !targets->front().name.empty();
  if (std::any_of(targets->begin(), targets->end(),
                  [&](const ResourceTarget& t) { return t.kind != kind; }))
    return fail(ErrorCode::kInvalidArgument, "get one resource type at a time");
  if (flags.watch && !kind->watchable)
    return fail(ErrorCode::kInvalidArgument, fmt::format("{} cannot be watched", kind->plural));
  auto client = session.client();
  if (!client) return fail(client.error());
  Printing printing{*format, TableOptions{false, flags.label_columns, session.now()}};

  std::vector<json> items;
  std::string version;
  common::Status missing;
  if (by_name) {
    for (const auto& target : *targets) {
      auto item = (*client)->get(kind->item_path(url_encode(target.name)));
      if (!item) {
        if (missing) missing = fail(item.error());
        continue;
      }
      version = std::max(version, item->at("metadata").value("resourceVersion", ""),
                         [](const std::string& a, const std::string& b) {
                           return a.size() != b.size() ? a.size() < b.size() : a < b;
                         });
      items.push_back(std::move(*item));
    }
  } else {
    auto listed = list_resources(**client, *kind, flags.list);
    if (!listed) return fail(listed.error());
    items = std::move(listed->items);
    version = listed->resource_version;
  }
  if (!(by_name && items.empty()))
    print_resources(session.out(), *kind, items, *format, printing.table,
                    by_name && targets->size() == 1);
  if (!missing || !flags.watch) return missing;
  session.out() << std::flush;
  auto options = printing.table;
  options.wide = *format == OutputFormat::kWide;
  return follow(session, **client, *kind, flags, printing, version,
                column_widths(make_table(*kind, items, options)));
}

}  // namespace

void add_get_command(CLI::App& app, Session& session) {
  auto flags = std::make_shared<GetFlags>();
  auto* cmd = app.add_subcommand("get", "Show resources: TYPE [NAME…] or TYPE/NAME…");
  cmd->add_option("TYPE_AND_NAMES", flags->args,
                  "satellites (sat), groups (grp), satelliteconfigs (sc), enrollmentrequests "
                  "(er), registryendpoints (re); then names")
      ->required();
  cmd->add_option("-l,--selector", flags->list.label_selector,
                  "label selector: env=prod,region in (eu,us),!canary");
  cmd->add_option("--field-selector", flags->list.field_selector,
                  "status.sync=in-sync, status.connectivity!=online, status.phase=Pending, …");
  cmd->add_option("--sort-by", flags->list.sort_by,
                  "metadata.name, metadata.creationTimestamp, status.sync, "
                  "-status.heartbeat.time, …");
  cmd->add_option("-o,--output", flags->output, "table (default), wide, yaml, json or name");
  cmd->add_option("--limit", flags->list.page_size, "items per request while paging (1-10000)")
      ->capture_default_str();
  cmd->add_flag("-w,--watch", flags->watch, "after the list, print each change as it happens");
  cmd->add_option("-L,--label-columns", flags->label_columns, "one more column per label key")
      ->delimiter(',');
  cmd->callback([&session, flags] { session.set_outcome(get(session, *flags)); });
}

}  // namespace cli::commands
