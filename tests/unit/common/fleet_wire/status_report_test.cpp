#include "common/fleet_wire/status_report.hpp"

#include <gtest/gtest.h>

#include <string>

#include "common/fleet_wire/heartbeat.hpp"

namespace common::fleet_wire {
namespace {

const std::string kDigest = "sha256:" + std::string(64, 'a');

TEST(StatusReportTest, RoundTripsEveryPhase) {
  StatusReport report{"sha256:" + std::string(64, 's'), "2026-12-02T10:00:00Z", 1500, {}};
  const auto digest = *Digest::parse(kDigest);
  report.artifacts.push_back({"library/nginx", digest, ArtifactPhase::kPresent, 0, 0, ""});
  report.artifacts.push_back({"library/redis", digest, ArtifactPhase::kPulling, 10, 100, ""});
  report.artifacts.push_back({"library/pg", digest, ArtifactPhase::kFailed, 0, 0, "401 upstream"});
  auto parsed = parse_status_report(to_json(report));
  ASSERT_TRUE(parsed) << parsed.error().message();
  EXPECT_EQ(parsed->state_digest, report.state_digest);
  EXPECT_EQ(parsed->last_sync_time, "2026-12-02T10:00:00Z");
  EXPECT_EQ(parsed->last_sync_duration_ms, 1500);
  ASSERT_EQ(parsed->artifacts.size(), 3u);
  EXPECT_EQ(parsed->artifacts[1].phase, ArtifactPhase::kPulling);
  EXPECT_EQ(parsed->artifacts[1].bytes_done, 10);
  EXPECT_EQ(parsed->artifacts[1].bytes_total, 100);
  EXPECT_EQ(parsed->artifacts[2].reason, "401 upstream");
}

TEST(StatusReportTest, CarriesAStateRefusalOnlyWhenThereIsOne) {
  StatusReport report{"sha256:" + std::string(64, 's'), "", 0, {}};
  EXPECT_EQ(to_json(report).find("stateRefusal"), std::string::npos);
  report.state_refusal = "satellite/group-state/g/state: not signed";
  auto parsed = parse_status_report(to_json(report));
  ASSERT_TRUE(parsed) << parsed.error().message();
  EXPECT_EQ(parsed->state_refusal, report.state_refusal);
}

TEST(StatusReportTest, IgnoresFieldsANewerSatelliteAdds) {
  auto parsed = parse_status_report(R"({"stateDigest":"x","future":1,"artifacts":[
      {"repository":"a","digest":")" +
                                    kDigest + R"(","state":"present","layers":3}]})");
  ASSERT_TRUE(parsed) << parsed.error().message();
  EXPECT_EQ(parsed->artifacts.size(), 1u);
}

TEST(StatusReportTest, NamesTheBadField) {
  const auto message = [](const std::string& text) {
    auto parsed = parse_status_report(text);
    return parsed ? std::string("accepted") : parsed.error().message();
  };
  EXPECT_EQ(message("[]"), "status report: expected a JSON object");
  EXPECT_EQ(message(R"({"artifacts":[{"digest":")" + kDigest + R"(","state":"present"}]})"),
            "artifacts[0].repository: required");
  EXPECT_EQ(message(R"({"artifacts":[{"repository":"a","digest":"sha256:zz","state":"present"}]})")
                .rfind("artifacts[0].digest:", 0),
            0u);
  EXPECT_EQ(
      message(R"({"artifacts":[{"repository":"a","digest":")" + kDigest + R"(","state":"gone"}]})"),
      "artifacts[0].state: \"gone\" is not present, pulling or failed");
  EXPECT_EQ(message(R"({"artifacts":[{"repository":"a","digest":")" + kDigest +
                    R"(","state":"pulling","bytesDone":-1}]})"),
            "artifacts[0].bytesDone: expected a count of 0 or more");
  EXPECT_EQ(message(R"({"lastSync":{"durationMs":3}})"), "lastSync.time: required");
  EXPECT_EQ(message(R"({"artifacts":{}})"), "artifacts: expected an array");
}

TEST(StatusReportTest, RefusesMoreArtifactsThanTheCap) {
  std::string text = R"({"artifacts":[)";
  for (std::size_t i = 0; i <= kMaxReportedArtifacts; ++i)
    text += (i ? "," : "") + std::string("{}");
  text += "]}";
  auto parsed = parse_status_report(text);
  ASSERT_FALSE(parsed);
  EXPECT_EQ(parsed.error().message(), "artifacts: more than 10000 entries");
}

TEST(HeartbeatWireTest, RoundTripsAndNamesTheBadField) {
  const Heartbeat beat{"0.4.1", 60, 1000, 2000, 3000, kDigest, "2026-12-02T10:00:00Z"};
  auto parsed = parse_heartbeat(to_json(beat));
  ASSERT_TRUE(parsed) << parsed.error().message();
  EXPECT_EQ(parsed->version, "0.4.1");
  EXPECT_EQ(parsed->disk_free_bytes, 2000);
  EXPECT_EQ(parsed->state_digest, kDigest);
  EXPECT_EQ(parse_heartbeat(R"({"uptimeSeconds":"x"})").error().message(),
            "uptimeSeconds: expected a count of 0 or more");
  EXPECT_EQ(parse_heartbeat(R"({"version":")" + std::string(300, 'v') + "\"}").error().message(),
            "version: longer than 256 bytes");
  auto answer = parse_heartbeat_answer(to_json(HeartbeatAnswer{kDigest, true, 30}));
  ASSERT_TRUE(answer);
  EXPECT_TRUE(answer->in_sync);
  EXPECT_EQ(answer->next_heartbeat_seconds, 30);
}

}  // namespace
}  // namespace common::fleet_wire
