#include "groundcontrol/model/satellite_command.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace groundcontrol::model {
namespace {

using common::fleet_wire::CommandType;
using nlohmann::json;

TEST(CommandRequestTest, TakesATypeAndAnOptionalTtl) {
  auto plain = parse_command_request(json{{"type", "collect.garbage"}});
  ASSERT_TRUE(plain) << plain.error().message();
  EXPECT_EQ(plain->type, CommandType::kCollectGarbage);
  EXPECT_EQ(plain->ttl.count(), 0);
  auto timed = parse_command_request(json{{"type", "report.status"}, {"ttlSeconds", 300}});
  ASSERT_TRUE(timed) << timed.error().message();
  EXPECT_EQ(timed->ttl, std::chrono::seconds(300));
}

TEST(CommandRequestTest, RefusesWhatItCannotActOnNamingTheField) {
  const std::vector<std::pair<json, std::string>> cases = {
      {json::array(), "body"},
      {json::object(), "type"},
      {json{{"type", "format.disk"}}, "type"},
      {json{{"type", 3}}, "type"},
      {json{{"type", "sync.state"}, {"ttlSeconds", 5}}, "ttlSeconds"},
      {json{{"type", "sync.state"}, {"ttlSeconds", "60"}}, "ttlSeconds"},
      {json{{"type", "sync.state"}, {"ttlSeconds", 100000000}}, "ttlSeconds"},
      {json{{"type", "sync.state"}, {"stateDigest", "sha256:x"}}, "stateDigest"},
  };
  for (const auto& [body, field] : cases) {
    auto got = parse_command_request(body);
    ASSERT_FALSE(got) << body.dump();
    EXPECT_EQ(got.error().code(), common::ErrorCode::kInvalidArgument);
    EXPECT_TRUE(got.error().message().starts_with(field)) << got.error().message();
  }
}

TEST(SatelliteCommandTest, TheDocumentShowsOnlyWhatHappened) {
  SatelliteCommand c;
  c.id = "0190-abc";
  c.satellite = "sat-1";
  c.type = CommandType::kReportStatus;
  c.actor = "user:admin";
  c.created_at = "2026-12-03T10:00:00Z";
  c.expires_at = "2026-12-04T10:00:00Z";
  const auto pending = to_json(c);
  EXPECT_EQ(pending["phase"], "Pending");
  EXPECT_EQ(pending["type"], "report.status");
  EXPECT_FALSE(pending.contains("sentAt"));
  EXPECT_FALSE(pending.contains("reason"));
  c.phase = CommandPhase::kFailed;
  c.reason = "busy";
  c.answered_at = "2026-12-03T10:00:02Z";
  const auto failed = to_json(c);
  EXPECT_EQ(failed["phase"], "Failed");
  EXPECT_EQ(failed["reason"], "busy");
  EXPECT_TRUE(is_final(CommandPhase::kFailed));
  EXPECT_FALSE(is_final(CommandPhase::kSent));
  EXPECT_FALSE(parse_command_phase("Lost"));
}

}  // namespace
}  // namespace groundcontrol::model
