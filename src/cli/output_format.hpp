// OutputFormat: how `get` (and the commands that show a resource) print what they read:
// table and wide (TablePrinter), yaml and json (one resource as itself; several as a
// `kind: List` document whose `items` they are, which `apply -f` takes back), and name
// (`group/edge`, one a line). Pure functions; thread-safe.
#pragma once

#include <nlohmann/json.hpp>
#include <ostream>
#include <string>
#include <vector>

#include "cli/resource_kind.hpp"
#include "cli/table_printer.hpp"
#include "common/result.hpp"

namespace cli {

enum class OutputFormat { kTable, kWide, kYaml, kJson, kName };

// "table", "wide", "yaml", "json" or "name" (empty: table); kInvalidArgument otherwise.
[[nodiscard]] common::Result<OutputFormat> parse_output_format(const std::string& text);

// Prints `items` of `kind`. `single` prints a lone resource as itself in yaml/json rather
// than as a List. A table with no items prints "No resources found." instead.
void print_resources(std::ostream& out, const ResourceKind& kind,
                     const std::vector<nlohmann::json>& items, OutputFormat format,
                     const TableOptions& table, bool single);

// The resource's "group/edge".
[[nodiscard]] std::string qualified_name(const ResourceKind& kind, const nlohmann::json& item);

}  // namespace cli
