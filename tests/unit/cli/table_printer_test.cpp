#include "cli/table_printer.hpp"

#include <gtest/gtest.h>

#include <sstream>

#include "cli/output_format.hpp"
#include "common/time_format.hpp"

namespace cli {
namespace {

using nlohmann::json;

const auto kNow = common::parse_rfc3339("2026-12-03T12:00:00Z").value();

json satellite(const std::string& name, const std::string& created) {
  return json::parse(R"({"kind": "Satellite", "metadata": {"name": ")" + name +
                     R"(", "labels": {"region": "eu", "site": "s1"}, "creationTimestamp": ")" +
                     created + R"("}, "spec": {"config": "default"}, "status": {}})");
}

std::string printed(const std::vector<json>& items, OutputFormat format,
                    std::vector<std::string> label_columns = {}) {
  std::ostringstream out;
  print_resources(out, *find_kind("sat").value(), items, format,
                  TableOptions{false, std::move(label_columns), kNow}, false);
  return out.str();
}

TEST(TablePrinter, PrintsSatellitesWithAlignedColumnsAndNoneForWhatIsMissing) {
  auto online = satellite("sat-long-name", "2026-12-01T12:00:00Z");
  online["status"] = {{"connectivity", "online"},
                      {"sync", "in-sync"},
                      {"heartbeat", {{"time", "2026-12-03T11:59:15Z"}, {"version", "0.1.0"}}}};
  const std::vector<json> items{online, satellite("s2", "2026-12-03T11:00:00Z")};
  EXPECT_EQ(printed(items, OutputFormat::kTable),
            "NAME            CONNECTIVITY   SYNC      LAST HEARTBEAT   AGE\n"
            "sat-long-name   online         in-sync   45s              2d\n"
            "s2              <none>         <none>    <none>           60m\n");
  EXPECT_EQ(printed(items, OutputFormat::kWide, {"site"}),
            "NAME            CONNECTIVITY   SYNC      LAST HEARTBEAT   AGE   CONFIG    VERSION   "
            "LABELS              SITE\n"
            "sat-long-name   online         in-sync   45s              2d    default   0.1.0     "
            "region=eu,site=s1   s1\n"
            "s2              <none>         <none>    <none>           60m   default   <none>    "
            "region=eu,site=s1   s1\n");
}

TEST(TablePrinter, PrintsNamesAndSaysWhenThereIsNothing) {
  EXPECT_EQ(printed({satellite("a", "x"), satellite("b", "x")}, OutputFormat::kName),
            "satellite/a\nsatellite/b\n");
  EXPECT_EQ(printed({}, OutputFormat::kTable), "No resources found.\n");
}

TEST(TablePrinter, PrintsSeveralResourcesAsAListInYamlAndJson) {
  const auto yaml = printed({satellite("a", "2026-12-03T11:00:00Z")}, OutputFormat::kYaml);
  EXPECT_TRUE(yaml.starts_with("apiVersion: v1\nitems:\n  - kind: Satellite\n")) << yaml;
  EXPECT_NE(yaml.find("creationTimestamp: \"2026-12-03T11:00:00Z\""), std::string::npos) << yaml;
  const auto parsed = json::parse(printed({satellite("a", "x")}, OutputFormat::kJson));
  EXPECT_EQ(parsed["kind"], "List");
  EXPECT_EQ(parsed["items"][0]["metadata"]["name"], "a");
}

TEST(TablePrinter, FormatsAgesLikeKubectl) {
  EXPECT_EQ(format_age("2026-12-03T11:59:59Z", kNow), "1s");
  EXPECT_EQ(format_age("2026-12-03T11:58:01Z", kNow), "119s");
  EXPECT_EQ(format_age("2026-12-03T11:58:00Z", kNow), "2m");
  EXPECT_EQ(format_age("2026-12-03T09:00:00Z", kNow), "3h");
  EXPECT_EQ(format_age("2026-12-01T12:00:00Z", kNow), "2d");
  EXPECT_EQ(format_age("yesterday", kNow), "<unknown>");
}

}  // namespace
}  // namespace cli
