// NatsChannel against a real nats-server in operator mode, set up as ground control sets it
// up (docs/adr/0008): the SATELLITE_COMMANDS and SATELLITE_EVENTS work-queue streams, the
// satellite's durable consumer, and a satellite user JWT with only its own permissions.
// The test plays ground control with a full-rights user: it publishes commands and reads
// the answers from the events stream.
#include "satellite/fleet/nats_channel.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <optional>
#include <thread>

#include "common/fleet_wire/nats_subjects.hpp"
#include "common/nats/connection.hpp"
#include "common/nats/jetstream.hpp"
#include "common/nats/pull_subscription.hpp"
#include "common/time_format.hpp"
#include "satellite/fleet/answered_commands.hpp"
#include "satellite/fleet/nats_user_key.hpp"
#include "testutil/nats_operator.hpp"
#include "testutil/nats_server_instance.hpp"
#include "testutil/temp_dir.hpp"

namespace satellite::fleet {
namespace {

using namespace std::chrono_literals;
using common::fleet_wire::Command;
using common::fleet_wire::CommandAnswer;
using common::fleet_wire::CommandOutcome;
using common::fleet_wire::CommandType;
using common::fleet_wire::EventType;
namespace subjects = common::fleet_wire::nats_subjects;

constexpr std::string_view kSatellite = "sat-a";

common::nats::Permissions jwt_permissions(const subjects::Permissions& wanted) {
  common::nats::Permissions permissions;
  permissions.pub.allow = wanted.publish;
  permissions.sub.allow = wanted.subscribe;
  return permissions;
}

bool eventually(const std::function<bool()>& condition, std::chrono::milliseconds timeout = 10s) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(20ms);
  }
  return condition();
}

class NatsChannelTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = testutil::NatsServerInstance::start(operator_.server_config(false));
    connect_ground_control();
    if (HasFatalFailure()) return;
    ASSERT_TRUE(admin_js_->ensure_stream(
        {std::string(subjects::kCommandStream), {subjects::all_commands()}}));
    ASSERT_TRUE(admin_js_->ensure_consumer(
        subjects::kCommandStream,
        {subjects::command_consumer(kSatellite), subjects::commands_of(kSatellite), 2s}));
    ASSERT_TRUE(
        admin_js_->ensure_stream({std::string(subjects::kEventStream), {subjects::all_events()}}));
    ASSERT_TRUE(admin_js_->ensure_consumer(
        subjects::kEventStream, {std::string(subjects::kGroundControlConsumer), "", 30s}));
    auto events = common::nats::PullSubscription::bind(*admin_js_, subjects::kEventStream,
                                                       subjects::kGroundControlConsumer);
    ASSERT_TRUE(events) << events.error().message();
    events_.emplace(std::move(*events));

    auto ledger = AnsweredCommands::load(dir_.str() + "/answered-commands.json");
    ASSERT_TRUE(ledger);
    ledger_.emplace(std::move(*ledger));
    CommandActions actions;
    actions.report_status = [this] {
      ++reports_;
      return common::Status{};
    };
    actions.collect_garbage = [] {
      return common::Status(common::fail(common::ErrorCode::kUnavailable, "disk on fire"));
    };
    executor_.emplace(std::string(kSatellite), std::move(actions), *ledger_, clock_,
                      common::log::null_logger());
  }

  void TearDown() override {
    channel_.reset();
    events_.reset();
    admin_js_.reset();
    admin_.reset();
  }

  // Ground control's own connection: a user with every right in the account. Connecting is
  // retried: libnats 3.4.1 drops 1 nonce signature in 256 (docs/adr/0008).
  void connect_ground_control() {
    auto jwt = operator_.user_jwt(admin_key_.public_key(), {});
    ASSERT_TRUE(jwt);
    // A connection libnats gave up on never comes up: try a new one.
    for (int attempt = 0; attempt < 5; ++attempt) {
      common::nats::ConnectionOptions options;
      options.servers = {server_->url()};
      options.user_jwt = [jwt = *jwt] { return jwt; };
      options.sign_nonce = [this](std::string_view nonce) { return admin_key_.sign(nonce); };
      options.reconnect_wait = 100ms;
      options.reconnect_jitter = 0ms;
      auto connection = common::nats::Connection::connect(std::move(options));
      if (connection && eventually([&] { return (*connection)->connected(); }, 5s)) {
        admin_ = std::move(*connection);
        break;
      }
    }
    ASSERT_TRUE(admin_ && admin_->connected());
    auto js = common::nats::JetStream::create(*admin_, {2s});
    ASSERT_TRUE(js);
    admin_js_.emplace(std::move(*js));
  }

  // What ground control's credentials endpoint answers, valid for `validity_`.
  common::Result<common::fleet_wire::NatsCredentials> credentials(std::string_view public_key) {
    ++credentials_fetched_;
    if (credentials_fetched_ > 1 && std::chrono::steady_clock::now() < refuse_until_.load())
      return common::fail(common::ErrorCode::kUnavailable, "ground control is away");
    if (refusals_ > 0) {
      --refusals_;
      return common::fail(common::ErrorCode::kUnavailable, "ground control's NATS is down");
    }
    const auto expires = std::chrono::system_clock::now() + validity_;
    auto jwt =
        operator_.user_jwt(std::string(public_key),
                           jwt_permissions(subjects::satellite_permissions(kSatellite)), expires);
    if (!jwt) return common::fail(jwt.error());
    return common::fleet_wire::NatsCredentials{*jwt,
                                               common::format_rfc3339(expires),
                                               {server_->url()},
                                               subjects::inbox_prefix(kSatellite),
                                               std::string(subjects::kCommandStream),
                                               subjects::command_consumer(kSatellite)};
  }

  void make_channel() {
    NatsChannelOptions options;
    options.satellite = std::string(kSatellite);
    options.fetch_timeout = 200ms;
    options.jetstream_timeout = 2s;
    options.connect_timeout = 1s;
    options.reconnect_wait = 100ms;
    options.reconnect_jitter = 0ms;
    options.bind_retry = 100ms;
    options.retry = {100ms, 500ms};
    channel_ = std::make_unique<NatsChannel>(
        std::move(options), common::nats::Nkey::generate(common::nats::NkeyType::kUser),
        [this](std::string_view key) { return credentials(key); }, *executor_, clock_,
        common::log::null_logger());
  }

  void start_channel() {
    make_channel();
    channel_->start();
  }

  Command command(std::string id, CommandType type) const {
    return {std::move(id),
            type,
            std::string(kSatellite),
            common::format_rfc3339(clock_.now()),
            common::format_rfc3339(clock_.now() + 1h),
            ""};
  }

  // Publishes as ground control does (the msg id dedupes a retried publish), retrying while
  // its own connection is still coming back.
  void send(const Command& command, const std::string& msg_id) {
    ASSERT_TRUE(eventually([&] {
      return admin_js_
          ->publish(subjects::command_subject(kSatellite, command.type),
                    common::fleet_wire::to_json(command), msg_id)
          .has_value();
    }));
  }

  // The next answer on the events stream (acked, as ground control does), other events kept.
  std::optional<CommandAnswer> next_answer(std::chrono::milliseconds timeout = 10s) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    const auto answers = subjects::event_subject(kSatellite, EventType::kCommandAnswered);
    while (std::chrono::steady_clock::now() < deadline) {
      auto batch = events_->fetch(1, 200ms);
      if (!batch) continue;
      for (auto& message : *batch) {
        (void)message.ack();
        if (message.subject() != answers) {
          other_events_.push_back(message.subject());
          continue;
        }
        auto answer = common::fleet_wire::parse_command_answer(message.data());
        EXPECT_TRUE(answer) << message.data();
        if (answer) return *answer;
      }
    }
    return std::nullopt;
  }

  // The next answer to `id`, skipping repeated answers to earlier commands: after a crash of
  // nats-server an ack may be lost, so JetStream delivers again (at least once) and ground
  // control's intake settles a command once whatever it receives twice.
  std::optional<CommandAnswer> answer_to(const std::string& id,
                                         std::chrono::milliseconds timeout = 10s) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      auto answer = next_answer(std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now()));
      if (!answer || answer->command_id == id) return answer;
    }
    return std::nullopt;
  }

  // True once every command for the satellite is acked (gone from the work queue).
  bool commands_settled() {
    auto info =
        admin_js_->consumer_info(subjects::kCommandStream, subjects::command_consumer(kSatellite));
    return info && info->num_pending == 0 && info->num_ack_pending == 0;
  }

  testutil::NatsOperator operator_;
  common::nats::Nkey admin_key_ = common::nats::Nkey::generate(common::nats::NkeyType::kUser);
  std::unique_ptr<testutil::NatsServerInstance> server_;
  std::unique_ptr<common::nats::Connection> admin_;
  std::optional<common::nats::JetStream> admin_js_;
  std::optional<common::nats::PullSubscription> events_;
  std::vector<std::string> other_events_;
  testutil::TempDir dir_;
  common::SystemClock clock_;
  std::optional<AnsweredCommands> ledger_;
  std::optional<CommandExecutor> executor_;
  std::atomic<int> reports_{0};
  std::atomic<int> credentials_fetched_{0};
  std::chrono::seconds validity_{std::chrono::hours(1)};
  std::atomic<int> refusals_{0};  // credentials requests still to refuse
  // Requests after the first are refused until then (ground control away for a while).
  std::atomic<std::chrono::steady_clock::time_point> refuse_until_{};
  std::unique_ptr<NatsChannel> channel_;
};

TEST_F(NatsChannelTest, CommandIsExecutedOnceAndAnsweredDone) {
  start_channel();
  send(command("c-1", CommandType::kReportStatus), "c-1");
  const auto answer = next_answer();
  ASSERT_TRUE(answer) << server_->log();
  EXPECT_EQ(answer->command_id, "c-1");
  EXPECT_EQ(answer->satellite, kSatellite);
  EXPECT_EQ(answer->outcome, CommandOutcome::kDone);
  EXPECT_TRUE(eventually([&] { return commands_settled(); }));
  EXPECT_EQ(reports_, 1);
}

// A command delivered twice (a second publish of it, or a redelivery) is answered again
// from the ledger: the second delivery is acked too, and the action ran once.
TEST_F(NatsChannelTest, SameCommandTwiceRunsOnceAndIsAnsweredTwice) {
  start_channel();
  const auto repeated = command("c-2", CommandType::kReportStatus);
  send(repeated, "first-publish");
  send(repeated, "second-publish");
  const auto answer = next_answer();
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->outcome, CommandOutcome::kDone);
  EXPECT_TRUE(eventually([&] { return commands_settled(); }));  // both answered and acked
  // The second answer has the same msg id: JetStream stores it once, and a copy that got
  // through would carry the same outcome.
  if (const auto again = next_answer(500ms)) EXPECT_EQ(again->outcome, CommandOutcome::kDone);
  EXPECT_EQ(reports_, 1);
}

TEST_F(NatsChannelTest, CommandSentWhileStoppedRunsWhenItStartsAgain) {
  start_channel();
  send(command("c-3", CommandType::kReportStatus), "c-3");
  ASSERT_TRUE(next_answer());
  channel_->stop();
  send(command("c-4", CommandType::kReportStatus), "c-4");
  std::this_thread::sleep_for(500ms);
  EXPECT_EQ(reports_, 1);
  channel_->start();
  const auto answer = next_answer();
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->command_id, "c-4");
  EXPECT_EQ(reports_, 2);
}

// The command is acked only once its answer is stored: while the answer cannot be published
// the command stays, comes again, and is answered from the ledger without running again.
TEST_F(NatsChannelTest, CommandWhoseAnswerCannotBeStoredComesAgainAndRunsOnce) {
  start_channel();
  ASSERT_TRUE(eventually([&] { return channel_->connected(); }));
  events_.reset();
  // JetStream has no delete in our wrapper (ground control never deletes streams): the API.
  auto deleted =
      admin_->request("$JS.API.STREAM.DELETE." + std::string(subjects::kEventStream), "", 2s);
  ASSERT_TRUE(deleted);
  ASSERT_NE(deleted->data.find("\"success\":true"), std::string::npos) << deleted->data;
  send(command("c-9", CommandType::kReportStatus), "c-9");
  ASSERT_TRUE(eventually([&] { return reports_ == 1; }));
  std::this_thread::sleep_for(300ms);
  EXPECT_FALSE(commands_settled());  // unanswered, so unacked
  ASSERT_TRUE(
      admin_js_->ensure_stream({std::string(subjects::kEventStream), {subjects::all_events()}}));
  ASSERT_TRUE(admin_js_->ensure_consumer(subjects::kEventStream,
                                         {std::string(subjects::kGroundControlConsumer), "", 30s}));
  auto events = common::nats::PullSubscription::bind(*admin_js_, subjects::kEventStream,
                                                     subjects::kGroundControlConsumer);
  ASSERT_TRUE(events);
  events_.emplace(std::move(*events));
  const auto answer = answer_to("c-9");  // after the consumer's 2 s ack wait
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->outcome, CommandOutcome::kDone);
  EXPECT_TRUE(eventually([&] { return commands_settled(); }));
  EXPECT_EQ(reports_, 1);
}

TEST_F(NatsChannelTest, RefusedCredentialsAreAskedForAgain) {
  refusals_ = 2;
  start_channel();
  send(command("c-10", CommandType::kReportStatus), "c-10");
  const auto answer = next_answer();
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->command_id, "c-10");
  EXPECT_GE(credentials_fetched_, 3);
}

TEST_F(NatsChannelTest, FailingActionIsAnsweredFailedWithItsReason) {
  start_channel();
  send(command("c-5", CommandType::kCollectGarbage), "c-5");
  const auto answer = next_answer();
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->outcome, CommandOutcome::kFailed);
  EXPECT_NE(answer->reason.find("disk on fire"), std::string::npos) << answer->reason;
  EXPECT_TRUE(eventually([&] { return commands_settled(); }));
}

TEST_F(NatsChannelTest, UnreadableCommandIsTerminatedAndTheNextOneAnswered) {
  start_channel();
  ASSERT_TRUE(admin_js_->publish(subjects::command_subject(kSatellite, CommandType::kReportStatus),
                                 "not json", "garbage"));
  send(command("c-6", CommandType::kReportStatus), "c-6");
  const auto answer = next_answer();
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->command_id, "c-6");
  EXPECT_TRUE(eventually([&] { return commands_settled(); }));
}

TEST_F(NatsChannelTest, ReconnectsByItselfAfterNatsComesBack) {
  start_channel();
  send(command("c-7", CommandType::kReportStatus), "c-7");
  ASSERT_TRUE(next_answer());
  server_->stop();
  EXPECT_TRUE(eventually([&] { return !channel_->connected(); }, 5s));
  // Events while NATS is down are dropped, not queued or blocking.
  const auto before = std::chrono::steady_clock::now();
  channel_->publish_event(EventType::kSyncStarted, "dropped", "");
  EXPECT_LT(std::chrono::steady_clock::now() - before, 1s);
  server_->start_again();
  send(command("c-8", CommandType::kReportStatus), "c-8");
  const auto answer = answer_to("c-8", 20s);
  ASSERT_TRUE(answer) << server_->log();
  EXPECT_EQ(answer->command_id, "c-8");
  EXPECT_EQ(answer->outcome, CommandOutcome::kDone);
}

// Credentials valid for 3 s: the channel fetches new ones at two thirds of their life and
// reconnects, so it keeps answering after the first JWT expired (the server would have
// closed a connection still using it).
TEST_F(NatsChannelTest, RefreshesItsJwtBeforeItExpires) {
  validity_ = 3s;
  start_channel();
  for (int i = 0; i < 4; ++i) {
    const auto id = "r-" + std::to_string(i);
    send(command(id, CommandType::kReportStatus), id);
    const auto answer = next_answer();
    ASSERT_TRUE(answer) << "command " << i << "\n" << server_->log();
    EXPECT_EQ(answer->command_id, id);
    std::this_thread::sleep_for(1500ms);
  }
  EXPECT_GE(credentials_fetched_, 3);
  EXPECT_EQ(reports_, 4);
}

// Ground control away past the JWT's end: the server closes the connection, and the channel
// gets going again with the next credentials it is given.
TEST_F(NatsChannelTest, RecoversAfterItsJwtExpiredWhileGroundControlWasAway) {
  validity_ = 2s;
  refuse_until_ = std::chrono::steady_clock::now() + 4s;
  start_channel();
  send(command("e-1", CommandType::kReportStatus), "e-1");
  ASSERT_TRUE(next_answer());
  std::this_thread::sleep_for(4500ms);  // the first JWT expired 2.5 s ago
  send(command("e-2", CommandType::kReportStatus), "e-2");
  const auto answer = answer_to("e-2");
  ASSERT_TRUE(answer) << server_->log();
  EXPECT_EQ(answer->outcome, CommandOutcome::kDone);
}

TEST_F(NatsChannelTest, PublishesEventsOnItsOwnSubject) {
  start_channel();
  ASSERT_TRUE(eventually([&] { return channel_->connected(); }));
  channel_->publish_event(EventType::kSyncCompleted, "3 artifacts", "sha256:abc");
  ASSERT_TRUE(eventually([&] {
    (void)next_answer(200ms);
    return !other_events_.empty();
  }));
  EXPECT_EQ(other_events_.front(), subjects::event_subject(kSatellite, EventType::kSyncCompleted));
}

TEST(NatsUserKeyTest, MadeOnceAsAPrivateFileAndLoadedAfterwards) {
  testutil::TempDir dir;
  auto made = load_or_make_nats_user_key(dir.str());
  ASSERT_TRUE(made) << made.error().message();
  EXPECT_EQ(made->type(), common::nats::NkeyType::kUser);
  struct stat st {};
  ASSERT_EQ(::stat(nats_user_key_file(dir.str()).c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  auto loaded = load_or_make_nats_user_key(dir.str());
  ASSERT_TRUE(loaded);
  EXPECT_EQ(loaded->public_key(), made->public_key());
}

TEST(NatsUserKeyTest, AFileOthersMayReadIsRefused) {
  testutil::TempDir dir;
  ASSERT_TRUE(load_or_make_nats_user_key(dir.str()));
  ::chmod(nats_user_key_file(dir.str()).c_str(), 0644);
  auto loaded = load_or_make_nats_user_key(dir.str());
  ASSERT_FALSE(loaded);
  EXPECT_EQ(loaded.error().code(), common::ErrorCode::kPermissionDenied);
}

}  // namespace
}  // namespace satellite::fleet
