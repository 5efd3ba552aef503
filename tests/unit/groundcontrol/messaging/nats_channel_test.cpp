// Ground control's NATS channel against a real nats-server in operator mode, with the
// operator block, the keys and the JWTs ground control makes itself: a command goes out
// through JetStream and the satellite's answer settles it; NATS away means Pending, back
// means Sent; a satellite's JWT lets it neither read another's commands nor speak for it.
#include "groundcontrol/app/nats_channel.hpp"

#include <gtest/gtest.h>

#include <condition_variable>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "common/fleet_wire/nats_subjects.hpp"
#include "common/log/logger.hpp"
#include "common/nats/connection.hpp"
#include "common/nats/jetstream.hpp"
#include "common/nats/pull_subscription.hpp"
#include "groundcontrol/model/kind.hpp"
#include "store/store_test_support.hpp"
#include "testutil/nats_server_instance.hpp"

namespace groundcontrol::app {
namespace {

namespace subjects = common::fleet_wire::nats_subjects;
using common::fleet_wire::CommandType;
using common::nats::Nkey;
using common::nats::NkeyType;
using model::CommandPhase;
using model::Kind;
using nlohmann::json;

// What the server says asynchronously to one client (permission violations).
struct AsyncErrors {
  std::mutex mutex;
  std::condition_variable changed;
  std::vector<std::string> seen;
  bool wait_for(const std::string& part) {
    std::unique_lock lock(mutex);
    return changed.wait_for(lock, std::chrono::seconds(5), [&] {
      for (const auto& s : seen)
        if (s.find(part) != std::string::npos) return true;
      return false;
    });
  }
};

// A satellite's side, by hand: its own key, the credentials ground control issues, a bound
// pull subscription.
struct SatelliteClient {
  Nkey key = Nkey::generate(NkeyType::kUser);
  common::fleet_wire::NatsCredentials credentials;
  std::shared_ptr<AsyncErrors> errors = std::make_shared<AsyncErrors>();
  std::unique_ptr<common::nats::Connection> connection;
  std::optional<common::nats::JetStream> jetstream;

  void connect(const std::string& url) {
    common::nats::ConnectionOptions options;
    options.servers = {url};
    options.user_jwt = [this] { return credentials.jwt; };
    options.sign_nonce = [this](std::string_view nonce) { return key.sign(nonce); };
    options.inbox_prefix = credentials.inbox_prefix;
    options.retry_on_failed_connect = false;
    options.on_async_error = [errors = errors](std::string_view message) {
      std::lock_guard lock(errors->mutex);
      errors->seen.emplace_back(message);
      errors->changed.notify_all();
    };
    // libnats 3.4.1 drops 1 nonce signature in 256 (docs/adr/0008): try again.
    for (int attempt = 0; attempt < 3 && !connection; ++attempt) {
      auto made = common::nats::Connection::connect(options);
      if (made) connection = std::move(*made);
    }
    ASSERT_TRUE(connection);
    auto js = common::nats::JetStream::create(*connection);
    ASSERT_TRUE(js);
    jetstream.emplace(std::move(*js));
  }
};

class NatsChannelTest : public store::test::StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    if (HasFatalFailure()) return;
    sync_.emplace(*db_, view_, common::log::null_logger());
    ASSERT_TRUE(sync_->load());
    resources_.emplace(*db_, clock_, *sync_, [this] { return "uid-" + std::to_string(++uids_); });
    ASSERT_TRUE(resources_->ensure_default_config());
    for (const auto* name : {"sat-a", "sat-b"})
      ASSERT_TRUE(resources_->create(Kind::kSatellite, json{{"metadata", {{"name", name}}}},
                                     {"user:admin"}));
    commands_.emplace(*db_, clock_, [this] { return "c" + std::to_string(++uids_) + "zzzzzzz"; });
    auto authority = service::NatsAuthority::load_or_create(*db_, box_, clock_);
    ASSERT_TRUE(authority);
    auto block = authority->server_config();
    ASSERT_TRUE(block);
    block_ = *block;
    nats_ = testutil::NatsServerInstance::start(block_);
    auto channel =
        NatsChannel::start(*db_, box_, clock_, *commands_, view_, satellite_exists(),
                           NatsChannelOptions{{nats_->url()}, {}, {}}, common::log::null_logger());
    ASSERT_TRUE(channel) << channel.error().message();
    channel_ = std::move(*channel);
  }

  messaging::SatelliteExists satellite_exists() {
    return [this](std::string_view name) -> common::Result<bool> {
      auto found = resources_->get(Kind::kSatellite, name);
      if (found) return true;
      if (found.error().code() == common::ErrorCode::kNotFound) return false;
      return common::fail(found.error());
    };
  }

  void enrol(SatelliteClient& satellite, const std::string& name) {
    // Ground control's own link may still be coming up: credentials need it for the consumer.
    std::string last_error;
    for (int i = 0; i < 100; ++i) {
      auto issued = channel_->credentials().issue(name, satellite.key.public_key());
      if (issued) {
        satellite.credentials = std::move(*issued);
        satellite.connect(nats_->url());
        return;
      }
      last_error = issued.error().message();
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    FAIL() << "no NATS credentials for " << name << ": " << last_error;
  }

  model::SatelliteCommand issue(const std::string& satellite, CommandType type) {
    auto issued = commands_->issue(satellite, {type, {}}, "sha256:feed", {"user:admin"});
    EXPECT_TRUE(issued) << issued.error().message();
    return *issued;
  }

  // Ground control's link is up (a command stored now goes out at once).
  bool wait_until_connected() {
    const auto probe = issue("sat-b", CommandType::kReportStatus);
    return wait_until_not(probe, CommandPhase::kPending) == CommandPhase::kSent;
  }

  CommandPhase wait_until_not(const model::SatelliteCommand& c, CommandPhase phase) {
    for (int i = 0; i < 200; ++i) {
      auto got = commands_->get(c.satellite, c.id);
      if (got && got->phase != phase) return got->phase;
      std::this_thread::sleep_for(std::chrono::milliseconds(25));
    }
    return phase;
  }

  // The satellite takes its next command and answers `outcome` in a payload naming
  // `claimed` (itself, unless a test forges).
  common::fleet_wire::Command answer_next(SatelliteClient& satellite, const std::string& name,
                                          common::fleet_wire::CommandOutcome outcome,
                                          const std::string& claimed) {
    auto bound = common::nats::PullSubscription::bind(
        *satellite.jetstream, satellite.credentials.stream, satellite.credentials.consumer);
    EXPECT_TRUE(bound) << bound.error().message();
    auto messages = bound->fetch(1, std::chrono::seconds(5));
    EXPECT_TRUE(messages && messages->size() == 1u);
    auto command = common::fleet_wire::parse_command((*messages)[0].data());
    EXPECT_TRUE(command);
    const common::fleet_wire::CommandAnswer answer{command->id, claimed, outcome, "", ""};
    auto published = satellite.jetstream->publish(
        subjects::event_subject(name, common::fleet_wire::EventType::kCommandAnswered),
        common::fleet_wire::to_json(answer), "answer-" + command->id);
    EXPECT_TRUE(published) << published.error().message();
    EXPECT_TRUE((*messages)[0].ack());
    return *command;
  }

  common::SystemClock clock_;  // the server checks JWT expiry against real time
  const common::crypto::SecretBox box_{common::crypto::MasterKey::generate()};
  service::FleetView view_;
  std::optional<service::FleetSync> sync_;
  std::optional<service::ResourceService> resources_;
  std::optional<service::CommandService> commands_;
  std::string block_;  // the operator block ground control wrote
  std::unique_ptr<testutil::NatsServerInstance> nats_;
  std::unique_ptr<NatsChannel> channel_;
  int uids_ = 0;
};

TEST_P(NatsChannelTest, ACommandIsSentAndTheSatellitesAnswerSettlesIt) {
  SatelliteClient satellite;
  enrol(satellite, "sat-a");
  const auto command = issue("sat-a", CommandType::kCollectGarbage);
  EXPECT_EQ(wait_until_not(command, CommandPhase::kPending), CommandPhase::kSent);
  const auto received =
      answer_next(satellite, "sat-a", common::fleet_wire::CommandOutcome::kDone, "sat-a");
  EXPECT_EQ(received.id, command.id);
  EXPECT_EQ(received.type, CommandType::kCollectGarbage);
  EXPECT_EQ(received.satellite, "sat-a");
  EXPECT_EQ(wait_until_not(command, CommandPhase::kSent), CommandPhase::kDone);
}

TEST_P(NatsChannelTest, TheSweepRemovesOnlyTheConsumersOfDeletedSatellites) {
  SatelliteClient a;
  SatelliteClient b;
  enrol(a, "sat-a");
  enrol(b, "sat-b");
  auto round = channel_->consumer_sweep().run();
  ASSERT_TRUE(round) << round.error().message();
  EXPECT_EQ(round->consumers, 2u);
  EXPECT_TRUE(round->removed.empty());
  EXPECT_TRUE(round->restored.empty());

  ASSERT_TRUE(resources_->remove(Kind::kSatellite, "sat-a", 0, {"user:admin"}));
  round = channel_->consumer_sweep().run();
  ASSERT_TRUE(round) << round.error().message();
  EXPECT_EQ(round->removed, std::vector<std::string>{"sat-a"});
  EXPECT_TRUE(round->failures.empty());
  round = channel_->consumer_sweep().run();  // nothing left to do
  ASSERT_TRUE(round) << round.error().message();
  EXPECT_EQ(round->consumers, 1u);
  EXPECT_TRUE(round->removed.empty());
  // sat-b's consumer still serves it.
  const auto command = issue("sat-b", CommandType::kCollectGarbage);
  EXPECT_EQ(answer_next(b, "sat-b", common::fleet_wire::CommandOutcome::kDone, "sat-b").id,
            command.id);
}

TEST_P(NatsChannelTest, WhileNatsIsDownCommandsWaitAndGoOutWhenItIsBack) {
  SatelliteClient satellite;
  enrol(satellite, "sat-a");
  nats_->stop();
  const auto command = issue("sat-a", CommandType::kReportStatus);
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  EXPECT_EQ(commands_->get("sat-a", command.id)->phase, CommandPhase::kPending);
  nats_->start_again();
  EXPECT_EQ(wait_until_not(command, CommandPhase::kPending), CommandPhase::kSent);
}

TEST_P(NatsChannelTest, AServerThatRefusedGroundControlIsUsedOnceItIsRightAgain) {
  // The server comes back misconfigured (it knows no operator): it refuses ground control
  // until libnats gives the connection up for good.
  ASSERT_TRUE(wait_until_connected());
  nats_->stop();
  nats_->reconfigure("authorization { token: not-ground-control }");
  nats_->start_again();
  for (int i = 0; i < 300; ++i) {
    const auto log = nats_->log();
    std::size_t refusals = 0;
    for (auto at = log.find("Authorization Violation"); at != std::string::npos;
         at = log.find("Authorization Violation", at + 1))
      ++refusals;
    if (refusals >= 2) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  const auto command = issue("sat-a", CommandType::kReportStatus);
  // Fixed: a new connection is made and the waiting command goes out.
  nats_->stop();
  nats_->reconfigure(block_);
  nats_->start_again();
  EXPECT_EQ(wait_until_not(command, CommandPhase::kPending), CommandPhase::kSent);
}

TEST_P(NatsChannelTest, AnAnswerNamingAnotherSatelliteIsRefusedAsForged) {
  SatelliteClient a;
  enrol(a, "sat-a");
  SatelliteClient b;
  enrol(b, "sat-b");
  const auto for_a = issue("sat-a", CommandType::kReportStatus);
  const auto for_b = issue("sat-b", CommandType::kReportStatus);
  ASSERT_EQ(wait_until_not(for_b, CommandPhase::kPending), CommandPhase::kSent);
  // sat-a answers on its own subject but claims to be sat-b, with sat-b's command id.
  auto bound = common::nats::PullSubscription::bind(*a.jetstream, a.credentials.stream,
                                                    a.credentials.consumer);
  ASSERT_TRUE(bound);
  const common::fleet_wire::CommandAnswer forged{for_b.id, "sat-b",
                                                 common::fleet_wire::CommandOutcome::kDone, "", ""};
  ASSERT_TRUE(a.jetstream->publish(
      subjects::event_subject("sat-a", common::fleet_wire::EventType::kCommandAnswered),
      common::fleet_wire::to_json(forged), "forged"));
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  EXPECT_EQ(commands_->get("sat-b", for_b.id)->phase, CommandPhase::kSent);
  // The real sat-b's answer still counts.
  answer_next(b, "sat-b", common::fleet_wire::CommandOutcome::kDone, "sat-b");
  EXPECT_EQ(wait_until_not(for_b, CommandPhase::kSent), CommandPhase::kDone);
  EXPECT_EQ(commands_->get("sat-a", for_a.id)->phase, CommandPhase::kSent);
}

TEST_P(NatsChannelTest, ASatelliteCanNeitherReadAnothersCommandsNorSpeakForIt) {
  SatelliteClient a;
  enrol(a, "sat-a");
  SatelliteClient b;
  enrol(b, "sat-b");
  const auto for_b = issue("sat-b", CommandType::kCollectGarbage);
  ASSERT_EQ(wait_until_not(for_b, CommandPhase::kPending), CommandPhase::kSent);
  // Pulling from sat-b's consumer needs sat-b's rights: nothing comes, the server says why.
  auto bound = common::nats::PullSubscription::bind(*a.jetstream, subjects::kCommandStream,
                                                    subjects::command_consumer("sat-b"));
  if (bound) {
    auto got = bound->fetch(1, std::chrono::seconds(1));
    EXPECT_TRUE(!got || got->empty());
  }
  EXPECT_TRUE(a.errors->wait_for("Permissions Violation for Publish to \"$JS.API.CONSUMER."));
  // Subscribing to sat-b's subjects or publishing sat-b's events is a violation.
  auto sniff = a.connection->subscribe("sat-b.command.>", [](common::nats::Message) {});
  EXPECT_TRUE(a.errors->wait_for("Permissions Violation for Subscription to \"sat-b.command.>\""));
  const common::fleet_wire::CommandAnswer forged{for_b.id, "sat-b",
                                                 common::fleet_wire::CommandOutcome::kDone, "", ""};
  ASSERT_TRUE(a.connection->publish(
      subjects::event_subject("sat-b", common::fleet_wire::EventType::kCommandAnswered),
      common::fleet_wire::to_json(forged)));
  EXPECT_TRUE(a.errors->wait_for("Permissions Violation for Publish to \"sat-b.event."));
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  EXPECT_EQ(commands_->get("sat-b", for_b.id)->phase, CommandPhase::kSent);
  // And sat-b still gets its command.
  answer_next(b, "sat-b", common::fleet_wire::CommandOutcome::kDone, "sat-b");
  EXPECT_EQ(wait_until_not(for_b, CommandPhase::kSent), CommandPhase::kDone);
}

INSTANTIATE_TEST_SUITE_P(Backends, NatsChannelTest,
                         ::testing::Values(store::test::Backend::kSqlite),
                         store::test::backend_name);

}  // namespace
}  // namespace groundcontrol::app
