#include "common/http/metrics.hpp"

#include <gtest/gtest.h>

#include <map>
#include <regex>
#include <sstream>

namespace common::http {
namespace {

using std::chrono::milliseconds;

// Checks the exposition format line by line: every sample belongs to a family announced by
// one HELP and one TYPE line before it, names and labels are well-formed, values are numbers.
void expect_valid_prometheus_text(const std::string& text) {
  const std::regex help(R"(# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) .+)");
  const std::regex type(R"(# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram))");
  const std::regex sample(
      R"(([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[a-zA-Z_][a-zA-Z0-9_]*="[^"\\]*"(,[a-zA-Z_][a-zA-Z0-9_]*="[^"\\]*")*\})? (-?[0-9.e+]+))");
  std::map<std::string, std::string> types;
  std::map<std::string, int> helps;
  std::istringstream lines(text);
  std::string line;
  std::smatch m;
  ASSERT_TRUE(text.ends_with('\n'));
  while (std::getline(lines, line)) {
    if (std::regex_match(line, m, help)) {
      EXPECT_EQ(++helps[m[1]], 1) << "second HELP for " << m[1];
    } else if (std::regex_match(line, m, type)) {
      EXPECT_TRUE(types.emplace(m[1], m[2]).second) << "second TYPE for " << m[1];
    } else {
      ASSERT_TRUE(std::regex_match(line, m, sample)) << "not a sample: " << line;
      std::string family = m[1];
      for (const char* suffix : {"_bucket", "_sum", "_count"}) {
        if (family.ends_with(suffix) && !types.contains(family))
          family.resize(family.size() - std::string_view(suffix).size());
      }
      EXPECT_TRUE(types.contains(family)) << "sample before its TYPE: " << line;
      EXPECT_EQ(helps[family], 1) << line;
    }
  }
}

// Sample value of the line starting with `series` ("name{labels}"), or -1.
double value_of(const std::string& text, const std::string& series) {
  const auto at = text.find("\n" + series + " ");
  if (at == std::string::npos) return -1;
  return std::stod(text.substr(at + series.size() + 2));
}

TEST(MetricsTest, RendersCountersByRouteAndStatus) {
  Metrics metrics("svc");
  ASSERT_TRUE(metrics.add_route("manifest"));
  ASSERT_TRUE(metrics.add_route("manifest"));  // idempotent
  EXPECT_FALSE(metrics.add_route("Not-Valid"));
  metrics.record("manifest", 200, 10, milliseconds(2));
  metrics.record("manifest", 200, 10, milliseconds(2));
  metrics.record("manifest", 418, 0, milliseconds(2));
  metrics.record("never_registered", 404, 5, milliseconds(2));
  const auto text = metrics.render();
  expect_valid_prometheus_text(text);
  EXPECT_EQ(value_of(text, R"(svc_http_requests_total{route="manifest",status="200"})"), 2);
  EXPECT_EQ(value_of(text, R"(svc_http_requests_total{route="manifest",status="4xx"})"), 1);
  EXPECT_EQ(value_of(text, R"(svc_http_requests_total{route="unmatched",status="404"})"), 1);
  EXPECT_EQ(value_of(text, "svc_http_response_bytes_total"), 25);
}

TEST(MetricsTest, HistogramBucketsAreCumulativeAndEndInCount) {
  Metrics metrics("svc");
  ASSERT_TRUE(metrics.add_route("blob"));
  metrics.record("blob", 200, 0, std::chrono::microseconds(100));  // ≤ 0.0005
  metrics.record("blob", 200, 0, milliseconds(3));                 // ≤ 0.005
  metrics.record("blob", 200, 0, std::chrono::seconds(60));        // +Inf only
  const auto text = metrics.render();
  expect_valid_prometheus_text(text);
  const std::string bucket = R"(svc_http_request_duration_seconds_bucket{route="blob",le=")";
  EXPECT_EQ(value_of(text, bucket + R"(0.0005"})"), 1);
  EXPECT_EQ(value_of(text, bucket + R"(0.001"})"), 1);
  EXPECT_EQ(value_of(text, bucket + R"(0.005"})"), 2);
  EXPECT_EQ(value_of(text, bucket + R"(30"})"), 2);
  EXPECT_EQ(value_of(text, bucket + R"(+Inf"})"), 3);
  EXPECT_EQ(value_of(text, R"(svc_http_request_duration_seconds_count{route="blob"})"), 3);
  EXPECT_NEAR(value_of(text, R"(svc_http_request_duration_seconds_sum{route="blob"})"), 60.0031,
              1e-6);
  // Each bucket's count never falls below the previous one's.
  double previous = 0;
  for (const char* le :
       {"0.0005", "0.001", "0.005", "0.01", "0.05", "0.1", "0.5", "1", "5", "30", "+Inf"}) {
    const double count = value_of(text, bucket + le + "\"}");
    EXPECT_GE(count, previous) << le;
    previous = count;
  }
  // A route without requests shows no histogram series.
  EXPECT_EQ(text.find("route=\"unmatched\",le="), std::string::npos);
}

TEST(MetricsTest, GaugesAreReadAtRender) {
  Metrics metrics("svc");
  double stored = 3;
  ASSERT_TRUE(metrics.add_gauge("svc_storage_blobs", "Blobs\nstored.", [&] { return stored; }));
  EXPECT_FALSE(metrics.add_gauge("svc_storage_blobs", "again", [] { return 0.0; }));
  EXPECT_FALSE(metrics.add_gauge("9bad", "name", [] { return 0.0; }));
  stored = 12345678;
  const auto text = metrics.render();
  expect_valid_prometheus_text(text);
  EXPECT_NE(text.find("# HELP svc_storage_blobs Blobs\\nstored.\n# TYPE svc_storage_blobs gauge\n"
                      "svc_storage_blobs 12345678\n"),
            std::string::npos);
}

TEST(MetricsTest, CountersTheApplicationKeepsSayTheyAreCounters) {
  Metrics metrics("svc");
  double pulled = 0;
  ASSERT_TRUE(metrics.add_counter("svc_pulled_bytes_total", "Bytes.", [&] { return pulled; }));
  EXPECT_FALSE(metrics.add_counter("svc_pulled_bytes_total", "again", [] { return 0.0; }));
  pulled = 42;
  const auto text = metrics.render();
  expect_valid_prometheus_text(text);
  EXPECT_NE(text.find("# TYPE svc_pulled_bytes_total counter\nsvc_pulled_bytes_total 42\n"),
            std::string::npos);
}

TEST(MetricsTest, AHistogramFamilyRendersEachSeriesItsOwnersRecorded) {
  Metrics metrics("svc");
  LatencyHistogram reads, writes;
  ASSERT_TRUE(metrics.add_histogram("svc_db_seconds", "Transactions.", "kind",
                                    {{"read", &reads}, {"write", &writes}}));
  EXPECT_FALSE(metrics.add_histogram("svc_db_seconds", "again", "kind", {{"read", &reads}}));
  EXPECT_FALSE(metrics.add_histogram("svc_other", "no histogram", "kind", {{"read", nullptr}}));
  EXPECT_FALSE(metrics.add_histogram("svc_other", "bad label", "9kind", {{"read", &reads}}));
  reads.record(std::chrono::microseconds(200));
  reads.record(milliseconds(40));
  writes.record(std::chrono::seconds(2));
  const auto text = metrics.render();
  expect_valid_prometheus_text(text);
  EXPECT_EQ(value_of(text, R"(svc_db_seconds_bucket{kind="read",le="0.0005"})"), 1);
  EXPECT_EQ(value_of(text, R"(svc_db_seconds_bucket{kind="read",le="0.05"})"), 2);
  EXPECT_EQ(value_of(text, R"(svc_db_seconds_count{kind="read"})"), 2);
  EXPECT_EQ(value_of(text, R"(svc_db_seconds_bucket{kind="write",le="1"})"), 0);
  EXPECT_EQ(value_of(text, R"(svc_db_seconds_bucket{kind="write",le="5"})"), 1);
  EXPECT_NEAR(value_of(text, R"(svc_db_seconds_sum{kind="write"})"), 2.0, 1e-6);
}

}  // namespace
}  // namespace common::http
