#include "common/fleet_wire/command.hpp"

#include <gtest/gtest.h>

#include "common/fleet_wire/nats_subjects.hpp"

namespace common::fleet_wire {
namespace {

TEST(CommandWireTest, CommandRoundTripsEveryType) {
  for (auto type :
       {CommandType::kSyncState, CommandType::kReportStatus, CommandType::kRefreshCredentials,
        CommandType::kCollectGarbage, CommandType::kRewriteRuntimes}) {
    const Command sent{"c-1",
                       type,
                       "sat-1",
                       "2026-12-03T10:00:00Z",
                       "2026-12-04T10:00:00Z",
                       type == CommandType::kSyncState ? "sha256:ab" : ""};
    auto got = parse_command(to_json(sent));
    ASSERT_TRUE(got) << got.error().message();
    EXPECT_EQ(got->id, "c-1");
    EXPECT_EQ(got->type, type);
    EXPECT_EQ(got->satellite, "sat-1");
    EXPECT_EQ(got->expires_at, "2026-12-04T10:00:00Z");
    EXPECT_EQ(got->state_digest, sent.state_digest);
    EXPECT_EQ(parse_command_type(command_type_name(type)), type);
  }
}

TEST(CommandWireTest, UnknownCommandTypeIsRefusedByName) {
  auto got = parse_command(R"({"id":"c-1","type":"format.disk","satellite":"s"})");
  ASSERT_FALSE(got);
  EXPECT_EQ(got.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(got.error().message().find("format.disk"), std::string::npos);
}

TEST(CommandWireTest, MissingIdAndNonObjectsAreRefused) {
  EXPECT_FALSE(parse_command(R"({"type":"sync.state","satellite":"s"})"));
  EXPECT_FALSE(parse_command("[]"));
  EXPECT_FALSE(parse_command("not json"));
  EXPECT_FALSE(parse_command_answer(R"({"satellite":"s","outcome":"done"})"));
}

TEST(CommandWireTest, AnswerRoundTripsWithReasonAndRefusesUnknownOutcome) {
  const CommandAnswer sent{"c-9", "sat-2", CommandOutcome::kFailed, "upstream unreachable",
                           "2026-12-03T10:00:05Z"};
  auto got = parse_command_answer(to_json(sent));
  ASSERT_TRUE(got) << got.error().message();
  EXPECT_EQ(got->command_id, "c-9");
  EXPECT_EQ(got->outcome, CommandOutcome::kFailed);
  EXPECT_EQ(got->reason, "upstream unreachable");
  EXPECT_FALSE(parse_command_answer(R"({"commandId":"c","satellite":"s","outcome":"maybe"})"));
}

TEST(CommandWireTest, NewerFieldsAreIgnored) {
  auto got = parse_command(
      R"({"id":"c-1","type":"collect.garbage","satellite":"s","priority":3,"extra":{}})");
  ASSERT_TRUE(got) << got.error().message();
  EXPECT_EQ(got->type, CommandType::kCollectGarbage);
}

TEST(CommandWireTest, EventRoundTripsAndAnAnswerIsNotAnEvent) {
  const SatelliteEvent sent{"sat-3", EventType::kDiskLow, "2026-12-03T10:00:00Z",
                            "2.1 GB free of 100 GB", ""};
  auto got = parse_satellite_event(to_json(sent));
  ASSERT_TRUE(got) << got.error().message();
  EXPECT_EQ(got->type, EventType::kDiskLow);
  EXPECT_EQ(got->message, "2.1 GB free of 100 GB");
  EXPECT_FALSE(parse_satellite_event(
      R"({"satellite":"s","type":"command.acknowledged","time":"2026-12-03T10:00:00Z"})"));
}

TEST(NatsSubjectsTest, SubjectsFollowTheNodeCommandMethodDomainScheme) {
  using namespace nats_subjects;
  EXPECT_EQ(command_subject("sat-berlin-1", CommandType::kSyncState),
            "sat-berlin-1.command.sync.state");
  EXPECT_EQ(event_subject("sat-berlin-1", EventType::kSyncCompleted),
            "sat-berlin-1.event.sync.completed");
  EXPECT_EQ(event_subject("s", EventType::kCommandAnswered), "s.event.command.acknowledged");
  EXPECT_EQ(commands_of("s"), "s.command.>");
  EXPECT_EQ(command_consumer("s"), "sat-s");
}

TEST(NatsSubjectsTest, AConsumerNameGivesBackItsSatellite) {
  using namespace nats_subjects;
  EXPECT_EQ(consumer_satellite(command_consumer("sat-berlin-1")), "sat-berlin-1");
  EXPECT_EQ(consumer_satellite("sat-s"), "s");
  EXPECT_FALSE(consumer_satellite("sat-"));
  EXPECT_FALSE(consumer_satellite(kGroundControlConsumer));
  EXPECT_FALSE(consumer_satellite("other"));
}

TEST(NatsSubjectsTest, EventSubjectsNameTheirSatellite) {
  using namespace nats_subjects;
  auto parsed = parse_event_subject("sat-1.event.sync.completed");
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->satellite, "sat-1");
  EXPECT_EQ(parsed->name, "sync.completed");
  EXPECT_FALSE(parse_event_subject("sat-1.command.sync.state"));
  EXPECT_FALSE(parse_event_subject(".event.x"));
  EXPECT_FALSE(parse_event_subject("sat-1.event."));
  EXPECT_FALSE(parse_event_subject("sat-1"));
}

TEST(NatsSubjectsTest, SatellitePermissionsNameOnlyItsOwnSubjects) {
  using namespace nats_subjects;
  const auto permissions = satellite_permissions("sat-a");
  for (const auto& subject : permissions.publish) {
    EXPECT_EQ(subject.find("sat-b"), std::string::npos);
    EXPECT_NE(subject.find("sat-a"), std::string::npos) << subject;
    // The only wildcard is the JetStream domain's token (through a leaf node).
    EXPECT_EQ(subject.find('*'), subject.starts_with("$JS.*.") ? 4u : std::string::npos) << subject;
  }
  ASSERT_EQ(permissions.subscribe.size(), 1u);
  EXPECT_EQ(permissions.subscribe[0], "_INBOX_sat-a.>");
}

}  // namespace
}  // namespace common::fleet_wire

#include "common/fleet_wire/nats_credentials.hpp"

namespace common::fleet_wire {
namespace {

TEST(NatsCredentialsWireTest, RoundTripsAndRefusesWhatIsMissing) {
  const NatsCredentials sent{"eyJ0.x.y",     "2026-12-04T10:00:00Z", {"nats://127.0.0.1:4222"},
                             "_INBOX_sat-1", "SATELLITE_COMMANDS",   "sat-sat-1"};
  auto got = parse_nats_credentials(to_json(sent));
  ASSERT_TRUE(got) << got.error().message();
  EXPECT_EQ(got->jwt, sent.jwt);
  EXPECT_EQ(got->servers, sent.servers);
  EXPECT_EQ(got->consumer, "sat-sat-1");
  EXPECT_FALSE(parse_nats_credentials(R"({"expiresAt":"x"})"));
  auto request = parse_nats_credentials_request(to_json(NatsCredentialsRequest{"UABC"}));
  ASSERT_TRUE(request);
  EXPECT_EQ(request->public_key, "UABC");
  EXPECT_FALSE(parse_nats_credentials_request("{}"));
}

}  // namespace
}  // namespace common::fleet_wire
