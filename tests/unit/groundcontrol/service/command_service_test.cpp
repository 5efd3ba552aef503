// CommandService on both engines: the ledger of NATS commands, from Pending through Sent to
// an answer or expiry; a final phase is never left, so redelivered and late answers, and
// replicas racing to send, change nothing.
#include "groundcontrol/service/command_service.hpp"

#include <gtest/gtest.h>

#include <condition_variable>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/log/logger.hpp"
#include "groundcontrol/model/kind.hpp"
#include "store/store_test_support.hpp"
#include "testutil/fake_clock.hpp"

namespace groundcontrol::service {
namespace {

using common::ErrorCode;
using common::fleet_wire::CommandAnswer;
using common::fleet_wire::CommandOutcome;
using common::fleet_wire::CommandType;
using model::CommandPhase;
using model::Kind;
using nlohmann::json;
using store::test::StoreTest;

class CommandServiceTest : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    if (HasFatalFailure()) return;
    sync_.emplace(*db_, view_, common::log::null_logger());
    ASSERT_TRUE(sync_->load());
    resources_.emplace(*db_, clock_, *sync_, [this] { return "uid-" + std::to_string(++uids_); });
    for (const auto* name : {"sat-a", "sat-b"})
      ASSERT_TRUE(
          resources_->create(Kind::kSatellite, json{{"metadata", {{"name", name}}}}, admin_));
    commands_.emplace(
        *db_, clock_, [this] { return "u" + std::to_string(++uids_) + "xxxxxxxx"; },
        CommandConfig{std::chrono::seconds(60), std::chrono::hours(1), "replica-a"});
  }
  model::SatelliteCommand issue(const std::string& satellite, CommandType type,
                                std::chrono::seconds ttl = {}) {
    auto issued = commands_->issue(satellite, {type, ttl}, "sha256:feed", admin_);
    EXPECT_TRUE(issued) << issued.error().message();
    return issued ? *issued : model::SatelliteCommand{};
  }
  CommandAnswer answer(const model::SatelliteCommand& c, CommandOutcome outcome,
                       std::string reason = {}) {
    return {c.id, c.satellite, outcome, std::move(reason), "2026-12-03T10:00:00Z"};
  }
  CommandPhase phase_of(const model::SatelliteCommand& c) {
    auto got = commands_->get(c.satellite, c.id);
    EXPECT_TRUE(got) << got.error().message();
    return got ? got->phase : CommandPhase::kPending;
  }

  testutil::FakeClock clock_;
  FleetView view_;
  std::optional<FleetSync> sync_;
  std::optional<ResourceService> resources_;
  std::optional<CommandService> commands_;
  int uids_ = 0;
  const Actor admin_{"user:admin"};
};

TEST_P(CommandServiceTest, ACommandGoesFromPendingThroughSentToItsAnswer) {
  const auto c = issue("sat-a", CommandType::kSyncState);
  EXPECT_EQ(c.phase, CommandPhase::kPending);
  EXPECT_EQ(c.state_digest, "sha256:feed");
  auto pending = commands_->pending(10);
  ASSERT_TRUE(pending);
  ASSERT_EQ(pending->size(), 1u);
  EXPECT_EQ((*pending)[0].id, c.id);

  ASSERT_EQ(commands_->mark_sent(c.id, 42), true);
  EXPECT_EQ(commands_->pending(10)->size(), 0u);
  auto sent = commands_->get("sat-a", c.id);
  ASSERT_TRUE(sent);
  EXPECT_EQ(sent->phase, CommandPhase::kSent);
  EXPECT_EQ(sent->stream_sequence, 42);
  EXPECT_FALSE(sent->sent_at.empty());

  ASSERT_EQ(commands_->record_answer(answer(c, CommandOutcome::kDone)), true);
  auto done = commands_->get("sat-a", c.id);
  ASSERT_TRUE(done);
  EXPECT_EQ(done->phase, CommandPhase::kDone);
  EXPECT_FALSE(done->answered_at.empty());
  EXPECT_EQ(model::to_json(*done)["phase"], "Done");
}

TEST_P(CommandServiceTest, TheFirstAnswerWinsAndRepeatsChangeNothing) {
  const auto c = issue("sat-a", CommandType::kCollectGarbage);
  ASSERT_TRUE(commands_->mark_sent(c.id, 1));
  ASSERT_EQ(commands_->record_answer(answer(c, CommandOutcome::kFailed, "disk busy")), true);
  EXPECT_EQ(commands_->record_answer(answer(c, CommandOutcome::kFailed, "disk busy")), false);
  EXPECT_EQ(commands_->record_answer(answer(c, CommandOutcome::kDone)), false);
  auto got = commands_->get("sat-a", c.id);
  ASSERT_TRUE(got);
  EXPECT_EQ(got->phase, CommandPhase::kFailed);
  EXPECT_EQ(got->reason, "disk busy");
  // A second replica that published it too cannot move it back to Sent.
  EXPECT_EQ(commands_->mark_sent(c.id, 2), false);
  EXPECT_EQ(phase_of(c), CommandPhase::kFailed);
}

TEST_P(CommandServiceTest, ABatchOfAnswersSettlesEachAndCountsOnlyThoseThatMoved) {
  const auto done = issue("sat-a", CommandType::kCollectGarbage);
  const auto failed = issue("sat-b", CommandType::kReportStatus);
  const auto settled = issue("sat-a", CommandType::kReportStatus);
  ASSERT_EQ(commands_->record_answer(answer(settled, CommandOutcome::kDone)), true);
  CommandAnswer forged = answer(done, CommandOutcome::kFailed, "forged");
  forged.satellite = "sat-b";
  const std::vector<CommandAnswer> batch{answer(done, CommandOutcome::kDone),
                                         answer(failed, CommandOutcome::kFailed, "no disk"),
                                         answer(settled, CommandOutcome::kFailed, "late"), forged,
                                         answer(done, CommandOutcome::kFailed, "redelivered")};
  EXPECT_EQ(commands_->record_answers(batch), 2u);
  EXPECT_EQ(phase_of(done), CommandPhase::kDone);
  EXPECT_EQ(phase_of(failed), CommandPhase::kFailed);
  EXPECT_EQ(commands_->get("sat-b", failed.id)->reason, "no disk");
  EXPECT_EQ(phase_of(settled), CommandPhase::kDone);  // the first answer stays
  EXPECT_EQ(commands_->record_answers(batch), 0u);    // the whole batch again: all repeats
  EXPECT_EQ(commands_->record_answers({}), 0u);
}

TEST_P(CommandServiceTest, AnAnswerForAnotherSatellitesCommandIsIgnored) {
  const auto c = issue("sat-a", CommandType::kReportStatus);
  CommandAnswer forged = answer(c, CommandOutcome::kDone);
  forged.satellite = "sat-b";
  EXPECT_EQ(commands_->record_answer(forged), false);
  EXPECT_EQ(phase_of(c), CommandPhase::kPending);
  EXPECT_EQ(commands_->get("sat-b", c.id).error().code(), ErrorCode::kNotFound);
}

// A replica publishes at once only what it stored itself; another replica's commands are
// left to it until they are overdue (the dispatcher asks for a minimum age).
TEST_P(CommandServiceTest, StoredCommandsWakeDispatchersWithTheStoringReplicasName) {
  std::mutex mutex;
  std::condition_variable arrived;
  std::vector<std::string> payloads;
  auto subscription = db_->listen(
      std::string(kCommandChannel),
      [&](std::string_view payload) {
        std::lock_guard lock(mutex);
        payloads.emplace_back(payload);
        arrived.notify_all();
      },
      [] {});
  ASSERT_TRUE(subscription) << subscription.error().message();
  const auto c = issue("sat-a", CommandType::kReportStatus);
  std::unique_lock lock(mutex);
  ASSERT_TRUE(arrived.wait_for(lock, std::chrono::seconds(10), [&] { return !payloads.empty(); }));
  EXPECT_EQ(payloads.front(), "replica-a");
}

TEST_P(CommandServiceTest, PendingWithAMinimumAgeLeavesFreshCommandsOut) {
  const auto c = issue("sat-a", CommandType::kReportStatus);
  EXPECT_EQ(commands_->pending(10, std::chrono::seconds(3))->size(), 0u);
  clock_.advance(std::chrono::seconds(2));
  EXPECT_EQ(commands_->pending(10, std::chrono::seconds(3))->size(), 0u);
  clock_.advance(std::chrono::seconds(1));
  auto overdue = commands_->pending(10, std::chrono::seconds(3));
  ASSERT_TRUE(overdue) << overdue.error().message();
  ASSERT_EQ(overdue->size(), 1u);
  EXPECT_EQ((*overdue)[0].id, c.id);
  EXPECT_EQ(commands_->pending(10)->size(), 1u);
}

TEST_P(CommandServiceTest, UnansweredCommandsExpireAndSentOnesComeBackForDeletion) {
  const auto sent = issue("sat-a", CommandType::kSyncState);
  const auto never_sent = issue("sat-b", CommandType::kRewriteRuntimes);
  const auto longer = issue("sat-a", CommandType::kReportStatus, std::chrono::seconds(600));
  ASSERT_TRUE(commands_->mark_sent(sent.id, 7));
  clock_.advance(std::chrono::seconds(61));
  EXPECT_EQ(commands_->pending(10)->size(), 1u);  // only `longer` is still worth sending
  auto expired = commands_->expire_due();
  ASSERT_TRUE(expired) << expired.error().message();
  ASSERT_EQ(expired->size(), 1u);
  EXPECT_EQ((*expired)[0].id, sent.id);
  EXPECT_EQ((*expired)[0].stream_sequence, 7);
  EXPECT_EQ(phase_of(sent), CommandPhase::kExpired);
  EXPECT_EQ(phase_of(never_sent), CommandPhase::kExpired);
  EXPECT_EQ(phase_of(longer), CommandPhase::kPending);
  // A late answer does not revive it.
  EXPECT_EQ(commands_->record_answer(answer(sent, CommandOutcome::kDone)), false);
  EXPECT_EQ(phase_of(sent), CommandPhase::kExpired);
}

TEST_P(CommandServiceTest, FinalCommandsAreForgottenAfterTheRetention) {
  const auto c = issue("sat-a", CommandType::kReportStatus);
  ASSERT_TRUE(commands_->record_answer(answer(c, CommandOutcome::kDone)));
  clock_.advance(std::chrono::minutes(59));
  ASSERT_TRUE(commands_->expire_due());
  EXPECT_EQ(commands_->list("sat-a")->size(), 1u);
  clock_.advance(std::chrono::minutes(2));
  ASSERT_TRUE(commands_->expire_due());
  EXPECT_EQ(commands_->list("sat-a")->size(), 0u);
}

TEST_P(CommandServiceTest, ListsAreNewestFirstAndPerSatellite) {
  const auto first = issue("sat-a", CommandType::kReportStatus);
  const auto second = issue("sat-a", CommandType::kCollectGarbage);  // same second
  issue("sat-b", CommandType::kReportStatus);
  auto listed = commands_->list("sat-a");
  ASSERT_TRUE(listed);
  ASSERT_EQ(listed->size(), 2u);
  EXPECT_EQ((*listed)[0].id, second.id);
  EXPECT_EQ((*listed)[1].id, first.id);
  EXPECT_EQ(commands_->list("sat-a", 1)->size(), 1u);
}

TEST_P(CommandServiceTest, UnknownSatellitesAreNotFound) {
  EXPECT_EQ(commands_->issue("nope", {CommandType::kReportStatus, {}}, "", admin_).error().code(),
            ErrorCode::kNotFound);
  EXPECT_EQ(commands_->list("nope").error().code(), ErrorCode::kNotFound);
  EXPECT_EQ(commands_->get("sat-a", "nope").error().code(), ErrorCode::kNotFound);
}

TEST_P(CommandServiceTest, OnlySyncCommandsNameAState) {
  EXPECT_EQ(issue("sat-a", CommandType::kSyncState).state_digest, "sha256:feed");
  EXPECT_EQ(issue("sat-a", CommandType::kReportStatus).state_digest, "");
}

TEST_P(CommandServiceTest, ADeletedSatellitesCommandsGoWithIt) {
  const auto c = issue("sat-a", CommandType::kReportStatus);
  ASSERT_TRUE(resources_->remove(Kind::kSatellite, "sat-a", 0, admin_));
  EXPECT_EQ(commands_->pending(10)->size(), 0u);
  // A satellite made again under the name starts with no history.
  ASSERT_TRUE(
      resources_->create(Kind::kSatellite, json{{"metadata", {{"name", "sat-a"}}}}, admin_));
  EXPECT_EQ(commands_->list("sat-a")->size(), 0u);
  EXPECT_EQ(commands_->get("sat-a", c.id).error().code(), ErrorCode::kNotFound);
}

TEST_P(CommandServiceTest, ARoundOfSyncsIsStoredWithTheCallersMarkAndSupersedesOlderOnes) {
  const auto older = issue("sat-a", CommandType::kSyncState);
  ASSERT_TRUE(commands_->mark_sent(older.id, 9));
  const auto unsent = issue("sat-b", CommandType::kSyncState);  // Pending: no message
  const auto other_type = issue("sat-b", CommandType::kReportStatus);
  const std::vector<CommandService::SyncDue> due{
      {"sat-a", "sha256:aaaa"}, {"gone", "sha256:bbbb"}, {"sat-b", "sha256:cccc"}};
  std::set<std::string> marked;  // a set: a replayed transaction claims again
  auto round = commands_->issue_syncs(
      due, admin_,
      [&](common::sql::Connection&, std::span<const model::SatelliteCommand> commands) {
        std::set<std::string, std::less<>> all;
        for (const auto& c : commands) {
          marked.insert(c.satellite + "=" + c.state_digest);
          all.insert(c.satellite);
        }
        return common::Result<std::set<std::string, std::less<>>>(std::move(all));
      });
  ASSERT_TRUE(round) << round.error().message();
  EXPECT_EQ(round->issued, 2u);  // "gone" does not exist: skipped, the round goes on
  ASSERT_EQ(round->superseded.size(), 1u);
  EXPECT_EQ(round->superseded[0].id, older.id);
  EXPECT_EQ(round->superseded[0].stream_sequence, 9);
  EXPECT_EQ(round->superseded[0].phase, CommandPhase::kSent);  // as it was
  EXPECT_EQ(phase_of(older), CommandPhase::kExpired);
  EXPECT_EQ(marked, (std::set<std::string>{"sat-a=sha256:aaaa", "sat-b=sha256:cccc"}));
  auto pending = commands_->pending(10);
  ASSERT_TRUE(pending);
  ASSERT_EQ(pending->size(), 3u);
  EXPECT_EQ((*pending)[0].id, other_type.id);  // another type: not superseded
  EXPECT_EQ((*pending)[1].state_digest, "sha256:aaaa");
  EXPECT_EQ((*pending)[2].satellite, "sat-b");
  EXPECT_EQ(phase_of(unsent), CommandPhase::kExpired);
  EXPECT_EQ(commands_->get("sat-a", older.id)->reason,
            "superseded by command " + (*pending)[1].id + " (a newer desired state)");
  EXPECT_EQ(commands_->get("sat-b", unsent.id)->reason,
            "superseded by command " + (*pending)[2].id + " (a newer desired state)");
}

TEST_P(CommandServiceTest, WhenTheMarkFailsNoCommandOfTheRoundIsStored) {
  const std::vector<CommandService::SyncDue> due{{"sat-a", "sha256:aaaa"},
                                                 {"sat-b", "sha256:bbbb"}};
  auto round = commands_->issue_syncs(
      due, admin_,
      [](common::sql::Connection& db, std::span<const model::SatelliteCommand> c)
          -> common::Result<std::set<std::string, std::less<>>> {
        // A claim that wrote, then failed: nothing of the round may stay.
        if (auto wrote = db.exec("UPDATE satellite_commands SET reason = 'x'"); !wrote)
          return common::fail(wrote.error());
        return common::fail(ErrorCode::kInternal, "mark " + std::to_string(c.size()));
      });
  ASSERT_FALSE(round);
  EXPECT_EQ(round.error().message(), "mark 2");
  EXPECT_EQ(commands_->list("sat-a")->size(), 0u);  // one commit: sat-a's went too
  EXPECT_EQ(commands_->list("sat-b")->size(), 0u);
}

TEST_P(CommandServiceTest, OnlyTheChangesTheCallerClaimsAreCommanded) {
  const auto older = issue("sat-a", CommandType::kSyncState);
  const std::vector<CommandService::SyncDue> due{{"sat-a", "sha256:aaaa"},
                                                 {"sat-b", "sha256:bbbb"}};
  // Another replica commanded sat-a's change first: only sat-b's is this round's.
  auto round = commands_->issue_syncs(
      due, admin_, [](common::sql::Connection&, std::span<const model::SatelliteCommand>) {
        return common::Result<std::set<std::string, std::less<>>>(
            std::set<std::string, std::less<>>{"sat-b"});
      });
  ASSERT_TRUE(round) << round.error().message();
  EXPECT_EQ(round->issued, 1u);
  EXPECT_EQ(commands_->list("sat-a")->size(), 1u);
  EXPECT_EQ(phase_of(older), CommandPhase::kPending) << "not superseded by an unclaimed one";
  ASSERT_EQ(commands_->list("sat-b")->size(), 1u);
  EXPECT_EQ((*commands_->list("sat-b"))[0].state_digest, "sha256:bbbb");
}

TEST_P(CommandServiceTest, ABatchIsMarkedSentInOneGoAndOnlyPendingOnesMove) {
  const auto a = issue("sat-a", CommandType::kReportStatus);
  const auto b = issue("sat-b", CommandType::kReportStatus);
  ASSERT_TRUE(commands_->mark_sent(b.id, 3));  // another replica was first
  const std::vector<CommandService::Sent> sent{{a.id, 11}, {b.id, 12}};
  auto moved = commands_->mark_sent_all(sent);
  ASSERT_TRUE(moved) << moved.error().message();
  EXPECT_EQ(*moved, 1u);
  EXPECT_EQ(commands_->get("sat-a", a.id)->stream_sequence, 11);
  EXPECT_EQ(commands_->get("sat-b", b.id)->stream_sequence, 3);
  EXPECT_EQ(commands_->pending(10)->size(), 0u);
}

INSTANTIATE_TEST_SUITE_P(Backends, CommandServiceTest, store::test::service_backends(),
                         store::test::backend_name);

}  // namespace
}  // namespace groundcontrol::service
