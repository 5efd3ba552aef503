#include "cli/table_printer.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

#include "common/time_format.hpp"

namespace cli {
namespace {

using nlohmann::json;

constexpr const char* kNone = "<none>";

// The text at `pointer` ("/status/sync") in `item`; <none> when absent or null.
std::string text_at(const json& item, const char* pointer) {
  const json::json_pointer at(pointer);
  if (!item.contains(at) || item[at].is_null()) return kNone;
  const auto& value = item[at];
  return value.is_string() ? value.get<std::string>() : value.dump();
}

std::string count_at(const json& item, const char* pointer) {
  const json::json_pointer at(pointer);
  return item.contains(at) && item[at].is_array() ? std::to_string(item[at].size()) : "0";
}

std::string join_labels(const json& labels) {
  if (!labels.is_object() || labels.empty()) return kNone;
  std::string out;
  for (const auto& [key, value] : labels.items())
    out += (out.empty() ? "" : ",") + key + "=" +
           (value.is_string() ? value.get<std::string>() : value.dump());
  return out;
}

std::string age_at(const json& item, const char* pointer,
                   std::chrono::system_clock::time_point now) {
  const auto text = text_at(item, pointer);
  return text == kNone ? kNone : format_age(text, now);
}

std::string selector_of(const json& item) {
  const json::json_pointer at("/spec/selector");
  if (!item.contains(at)) return kNone;
  const auto& selector = item[at];
  std::string out = selector.contains("matchLabels") ? join_labels(selector["matchLabels"]) : "";
  if (out == kNone) out.clear();
  for (const auto& requirement : selector.value("matchExpressions", json::array())) {
    out += (out.empty() ? "" : ",") + requirement.value("key", "") + " " +
           requirement.value("operator", "");
    if (requirement.contains("values"))
      out +=
          " (" +
          fmt::format("{}", fmt::join(requirement["values"].get<std::vector<std::string>>(), ",")) +
          ")";
  }
  return out.empty() ? kNone : out;
}

struct Columns {
  std::vector<std::string> headers;
  std::vector<std::string> wide_headers;
  std::vector<std::string> (*cells)(const json&, std::chrono::system_clock::time_point);
  std::vector<std::string> (*wide_cells)(const json&, std::chrono::system_clock::time_point);
};

Columns columns_of(std::string_view kind) {
  using std::chrono::system_clock;
  if (kind == "Satellite")
    return {{"NAME", "CONNECTIVITY", "SYNC", "LAST HEARTBEAT", "AGE"},
            {"CONFIG", "VERSION", "LABELS"},
            [](const json& i, system_clock::time_point now) -> std::vector<std::string> {
              return {text_at(i, "/metadata/name"), text_at(i, "/status/connectivity"),
                      text_at(i, "/status/sync"), age_at(i, "/status/heartbeat/time", now),
                      age_at(i, "/metadata/creationTimestamp", now)};
            },
            [](const json& i, system_clock::time_point) -> std::vector<std::string> {
              return {text_at(i, "/spec/config"), text_at(i, "/status/heartbeat/version"),
                      join_labels(i["metadata"].value("labels", json::object()))};
            }};
  if (kind == "Group")
    return {{"NAME", "ARTIFACTS", "SATELLITES", "SELECTOR", "AGE"},
            {"RULES", "LABELS"},
            [](const json& i, system_clock::time_point now) -> std::vector<std::string> {
              return {text_at(i, "/metadata/name"), count_at(i, "/spec/artifacts"),
                      text_at(i, "/status/satellites"), selector_of(i),
                      age_at(i, "/metadata/creationTimestamp", now)};
            },
            [](const json& i, system_clock::time_point) -> std::vector<std::string> {
              return {count_at(i, "/spec/rules"),
                      join_labels(i["metadata"].value("labels", json::object()))};
            }};
  if (kind == "SatelliteConfig")
    return {{"NAME", "HEARTBEAT", "STATE POLL", "AGE"},
            {"LABELS"},
            [](const json& i, system_clock::time_point now) -> std::vector<std::string> {
              return {text_at(i, "/metadata/name"), text_at(i, "/spec/heartbeatInterval"),
                      text_at(i, "/spec/statePollInterval"),
                      age_at(i, "/metadata/creationTimestamp", now)};
            },
            [](const json& i, system_clock::time_point) -> std::vector<std::string> {
              return {join_labels(i["metadata"].value("labels", json::object()))};
            }};
  if (kind == "EnrollmentRequest")
    return {{"NAME", "PHASE", "AGE"},
            {"DECIDED BY", "REQUESTED LABELS"},
            [](const json& i, system_clock::time_point now) -> std::vector<std::string> {
              return {text_at(i, "/metadata/name"), text_at(i, "/status/phase"),
                      age_at(i, "/metadata/creationTimestamp", now)};
            },
            [](const json& i, system_clock::time_point) -> std::vector<std::string> {
              const json::json_pointer labels("/spec/labels");
              return {text_at(i, "/status/approval/decidedBy"),
                      join_labels(i.contains(labels) ? i[labels] : json::object())};
            }};
  if (kind == "User")
    return {{"NAME", "ROLE", "AGE"},
            {},
            [](const json& i, system_clock::time_point now) -> std::vector<std::string> {
              return {text_at(i, "/metadata/name"), text_at(i, "/spec/role"),
                      age_at(i, "/metadata/creationTimestamp", now)};
            },
            [](const json&, system_clock::time_point) { return std::vector<std::string>(); }};
  return {{"NAME", "URL", "TYPE", "AGE"},
          {"LABELS"},
          [](const json& i, system_clock::time_point now) -> std::vector<std::string> {
            return {text_at(i, "/metadata/name"), text_at(i, "/spec/url"), text_at(i, "/spec/type"),
                    age_at(i, "/metadata/creationTimestamp", now)};
          },
          [](const json& i, system_clock::time_point) -> std::vector<std::string> {
            return {join_labels(i["metadata"].value("labels", json::object()))};
          }};
}

std::string upper(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return text;
}

}  // namespace

Table make_table(const ResourceKind& kind, const std::vector<json>& items,
                 const TableOptions& options) {
  const auto columns = columns_of(kind.kind);
  Table table;
  table.headers = columns.headers;
  if (options.wide)
    table.headers.insert(table.headers.end(), columns.wide_headers.begin(),
                         columns.wide_headers.end());
  for (const auto& key : options.label_columns) table.headers.push_back(upper(key));
  for (const auto& item : items) {
    auto row = columns.cells(item, options.now);
    if (options.wide) {
      auto more = columns.wide_cells(item, options.now);
      row.insert(row.end(), more.begin(), more.end());
    }
    const json::json_pointer labels("/metadata/labels");
    for (const auto& key : options.label_columns) {
      const auto has = item.contains(labels) && item[labels].contains(key);
      row.push_back(has ? item[labels][key].get<std::string>() : "");
    }
    table.rows.push_back(std::move(row));
  }
  return table;
}

std::vector<std::size_t> column_widths(const Table& table) {
  std::vector<std::size_t> widths;
  for (const auto& header : table.headers) widths.push_back(header.size());
  for (const auto& row : table.rows)
    for (std::size_t i = 0; i < row.size() && i < widths.size(); ++i)
      widths[i] = std::max(widths[i], row[i].size());
  return widths;
}

void print_table(std::ostream& out, const Table& table, const std::vector<std::size_t>& widths,
                 bool with_headers) {
  const auto line = [&](const std::vector<std::string>& cells) {
    std::string text;
    for (std::size_t i = 0; i < cells.size(); ++i) {
      if (i + 1 == cells.size()) {
        text += cells[i];
        break;
      }
      const auto width = std::max(i < widths.size() ? widths[i] : 0, cells[i].size());
      text += cells[i] + std::string(width - cells[i].size() + 3, ' ');
    }
    while (!text.empty() && text.back() == ' ') text.pop_back();
    out << text << "\n";
  };
  if (with_headers) line(table.headers);
  for (const auto& row : table.rows) line(row);
}

std::string format_age(const std::string& rfc3339, std::chrono::system_clock::time_point now) {
  const auto time = common::parse_rfc3339(rfc3339);
  if (!time) return "<unknown>";
  const auto seconds =
      std::max<long long>(0, std::chrono::duration_cast<std::chrono::seconds>(now - *time).count());
  if (seconds < 120) return fmt::format("{}s", seconds);
  if (seconds < 3 * 3600) return fmt::format("{}m", seconds / 60);
  if (seconds < 48 * 3600) return fmt::format("{}h", seconds / 3600);
  return fmt::format("{}d", seconds / 86400);
}

}  // namespace cli
