// CommandExecutor and its on-disk ledger: a command runs once whatever JetStream
// redelivers, even across a restart; expired and misaddressed ones never run; an action's
// error is the reason ground control shows.
#include "satellite/fleet/command_executor.hpp"

#include <gtest/gtest.h>

#include "common/fs/file_ops.hpp"
#include "common/time_format.hpp"
#include "testutil/fake_clock.hpp"
#include "testutil/temp_dir.hpp"

namespace satellite::fleet {
namespace {

using common::fleet_wire::Command;
using common::fleet_wire::CommandOutcome;
using common::fleet_wire::CommandType;

class CommandExecutorTest : public ::testing::Test {
 protected:
  std::string ledger_path() const { return dir_.str() + "/agent/answered-commands.json"; }
  AnsweredCommands& ledger() {
    if (!ledger_) {
      auto loaded = AnsweredCommands::load(ledger_path(), 4);
      EXPECT_TRUE(loaded) << loaded.error().message();
      ledger_.emplace(std::move(*loaded));
    }
    return *ledger_;
  }
  CommandExecutor executor() {
    CommandActions actions;
    actions.collect_garbage = [this] {
      ++collections_;
      return common::Status{};
    };
    actions.report_status = [] {
      return common::Status{common::fail(common::ErrorCode::kUnavailable, "ground control away")};
    };
    actions.sync_state = [this](std::string_view digest, const StillWorking& working,
                                std::stop_token) {
      synced_to_ = std::string(digest);
      working();
      return common::Status{};
    };
    return CommandExecutor("sat-a", std::move(actions), ledger(), clock_,
                           common::log::null_logger());
  }
  Command command(std::string id, CommandType type,
                  std::chrono::seconds ttl = std::chrono::hours(1)) {
    return {std::move(id),
            type,
            "sat-a",
            common::format_rfc3339(clock_.now()),
            common::format_rfc3339(clock_.now() + ttl),
            "sha256:cafe"};
  }
  common::fleet_wire::CommandAnswer run(const Command& c) {
    auto answer = executor().execute(c, [this] { ++still_working_; }, {});
    EXPECT_TRUE(answer) << answer.error().message();
    return answer ? *answer : common::fleet_wire::CommandAnswer{};
  }

  testutil::TempDir dir_;
  testutil::FakeClock clock_;
  std::optional<AnsweredCommands> ledger_;
  int collections_ = 0;
  int still_working_ = 0;
  std::string synced_to_;
};

TEST_F(CommandExecutorTest, ACommandDeliveredTwiceRunsOnceAndGetsTheSameAnswer) {
  const auto gc = command("c-1", CommandType::kCollectGarbage);
  const auto first = run(gc);
  EXPECT_EQ(first.outcome, CommandOutcome::kDone);
  EXPECT_EQ(first.command_id, "c-1");
  EXPECT_EQ(first.satellite, "sat-a");
  const auto again = run(gc);
  EXPECT_EQ(collections_, 1);
  EXPECT_EQ(again.outcome, CommandOutcome::kDone);
  EXPECT_EQ(again.time, first.time);
}

TEST_F(CommandExecutorTest, TheLedgerSurvivesARestart) {
  run(command("c-1", CommandType::kCollectGarbage));
  ledger_.reset();  // the process ends; a new one reads the file
  const auto again = run(command("c-1", CommandType::kCollectGarbage));
  EXPECT_EQ(again.outcome, CommandOutcome::kDone);
  EXPECT_EQ(collections_, 1);
}

TEST_F(CommandExecutorTest, AnActionsErrorIsTheReason) {
  const auto answer = run(command("c-2", CommandType::kReportStatus));
  EXPECT_EQ(answer.outcome, CommandOutcome::kFailed);
  EXPECT_EQ(answer.reason, "ground control away");
  const auto missing = run(command("c-3", CommandType::kRewriteRuntimes));
  EXPECT_EQ(missing.outcome, CommandOutcome::kFailed);
  EXPECT_FALSE(missing.reason.empty());
}

TEST_F(CommandExecutorTest, ASyncReachesTheNamedStateAndSaysItIsStillWorking) {
  const auto answer = run(command("c-4", CommandType::kSyncState));
  EXPECT_EQ(answer.outcome, CommandOutcome::kDone);
  EXPECT_EQ(synced_to_, "sha256:cafe");
  EXPECT_EQ(still_working_, 1);
}

TEST_F(CommandExecutorTest, AnExpiredCommandIsAnsweredWithoutRunning) {
  const auto gc = command("c-5", CommandType::kCollectGarbage, std::chrono::seconds(30));
  clock_.advance(std::chrono::seconds(31));
  const auto answer = run(gc);
  EXPECT_EQ(answer.outcome, CommandOutcome::kExpired);
  EXPECT_EQ(collections_, 0);
}

TEST_F(CommandExecutorTest, ACommandForAnotherSatelliteNeverRuns) {
  auto gc = command("c-6", CommandType::kCollectGarbage);
  gc.satellite = "sat-b";
  const auto answer = run(gc);
  EXPECT_EQ(answer.outcome, CommandOutcome::kFailed);
  EXPECT_NE(answer.reason.find("sat-b"), std::string::npos);
  EXPECT_EQ(collections_, 0);
}

TEST_F(CommandExecutorTest, TheLedgerKeepsTheNewestAnswersOnly) {
  for (int i = 0; i < 6; ++i) run(command("c-" + std::to_string(i), CommandType::kCollectGarbage));
  EXPECT_EQ(ledger().size(), 4u);
  EXPECT_FALSE(ledger().find("c-0"));
  EXPECT_TRUE(ledger().find("c-5"));
}

TEST_F(CommandExecutorTest, AnUnreadableLedgerIsAnErrorNotSilence) {
  ASSERT_TRUE(common::fs::make_dirs(dir_.str() + "/agent"));
  ASSERT_TRUE(common::fs::atomic_write_file(ledger_path(), "{not a ledger"));
  auto loaded = AnsweredCommands::load(ledger_path());
  ASSERT_FALSE(loaded);
  EXPECT_EQ(loaded.error().code(), common::ErrorCode::kInvalidArgument);
}

TEST_F(CommandExecutorTest, AVeryLongReasonIsCutSoThatTheAnswerStaysReadable) {
  CommandActions actions;
  actions.collect_garbage = [] {
    return common::Status{common::fail(common::ErrorCode::kInternal, std::string(5000, 'x'))};
  };
  CommandExecutor long_winded("sat-a", std::move(actions), ledger(), clock_,
                              common::log::null_logger());
  auto answer = long_winded.execute(command("c-long", CommandType::kCollectGarbage), [] {}, {});
  ASSERT_TRUE(answer) << answer.error().message();
  EXPECT_EQ(answer->outcome, CommandOutcome::kFailed);
  auto read = common::fleet_wire::parse_command_answer(common::fleet_wire::to_json(*answer));
  ASSERT_TRUE(read) << read.error().message();
  EXPECT_TRUE(read->reason.starts_with("xxxx"));
  ledger_.reset();  // and the ledger still loads after a restart
  EXPECT_TRUE(ledger().find("c-long"));
}

TEST_F(CommandExecutorTest, AnAnswerThatCannotBeStoredIsNotRemembered) {
  auto& kept = ledger();
  ASSERT_TRUE(common::fs::make_dirs(ledger_path()));  // a directory where the file goes
  const common::fleet_wire::CommandAnswer answer{"c-9", "sat-a", CommandOutcome::kDone, "", ""};
  EXPECT_FALSE(kept.remember(answer));
  EXPECT_FALSE(kept.find("c-9"));
  // So the command, delivered again, is run (its first run never counted) and answered.
  EXPECT_FALSE(executor().execute(command("c-9", CommandType::kCollectGarbage), [] {}, {}));
}

TEST_F(CommandExecutorTest, AnUnreadableEntryCostsOnlyItself) {
  ASSERT_TRUE(common::fs::make_dirs(dir_.str() + "/agent"));
  ASSERT_TRUE(common::fs::atomic_write_file(
      ledger_path(),
      R"([{"commandId":"c-1","satellite":"sat-a","outcome":"done"},{"outcome":"maybe"}])"));
  EXPECT_TRUE(ledger().find("c-1"));
  EXPECT_EQ(ledger().size(), 1u);
}

}  // namespace
}  // namespace satellite::fleet
