#include "cli/output_format.hpp"

#include <fmt/format.h>

#include "cli/yaml_json.hpp"

namespace cli {

using nlohmann::json;

common::Result<OutputFormat> parse_output_format(const std::string& text) {
  if (text.empty() || text == "table") return OutputFormat::kTable;
  if (text == "wide") return OutputFormat::kWide;
  if (text == "yaml") return OutputFormat::kYaml;
  if (text == "json") return OutputFormat::kJson;
  if (text == "name") return OutputFormat::kName;
  return common::fail(common::ErrorCode::kInvalidArgument,
                      fmt::format("-o {}: expected table, wide, yaml, json or name", text));
}

std::string qualified_name(const ResourceKind& kind, const json& item) {
  return fmt::format("{}/{}", kind.singular, item["metadata"].value("name", ""));
}

void print_resources(std::ostream& out, const ResourceKind& kind, const std::vector<json>& items,
                     OutputFormat format, const TableOptions& table, bool single) {
  switch (format) {
    case OutputFormat::kTable:
    case OutputFormat::kWide: {
      if (items.empty()) {
        out << "No resources found.\n";
        return;
      }
      auto options = table;
      options.wide = format == OutputFormat::kWide;
      const auto rows = make_table(kind, items, options);
      print_table(out, rows, column_widths(rows));
      return;
    }
    case OutputFormat::kName:
      for (const auto& item : items) out << qualified_name(kind, item) << "\n";
      return;
    case OutputFormat::kYaml:
    case OutputFormat::kJson: {
      const auto document =
          single && items.size() == 1
              ? items.front()
              : json{{"apiVersion", "v1"}, {"kind", "List"}, {"items", json(items)}};
      if (format == OutputFormat::kYaml)
        out << yaml_from_json(document);
      else
        out << document.dump(2) << "\n";
      return;
    }
  }
}

}  // namespace cli
