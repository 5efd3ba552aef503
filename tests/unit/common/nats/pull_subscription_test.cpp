#include "common/nats/pull_subscription.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "jetstream_fixture.hpp"

namespace common::nats {
namespace {

using namespace std::chrono_literals;
using nats_test::Recorder;
using nats_test::test_options;
using testutil::NatsServerInstance;

TEST_F(NatsJetStream, BindingToAMissingConsumerIsNotFound) {
  auto sub = PullSubscription::bind(*js_, kStream, "sat-nobody");
  ASSERT_FALSE(sub);
  EXPECT_EQ(sub.error().code(), ErrorCode::kNotFound) << sub.error().message();
}

TEST_F(NatsJetStream, FetchOnAnEmptyStreamReturnsNothingWithinTheTimeout) {
  auto sub = bind();
  const auto start = std::chrono::steady_clock::now();
  auto messages = sub.fetch(10, 300ms);
  const auto took = std::chrono::steady_clock::now() - start;
  ASSERT_TRUE(messages) << messages.error().message();
  EXPECT_TRUE(messages->empty());
  EXPECT_LT(took, 1500ms);
}

TEST_F(NatsJetStream, FetchReturnsTheMessageWithItsMetadata) {
  const auto seq = publish("state-7", "cmd-1");
  auto sub = bind();
  auto messages = sub.fetch(10, 2s);
  ASSERT_TRUE(messages) << messages.error().message();
  ASSERT_EQ(messages->size(), 1u);
  const JsMessage& m = messages->front();
  EXPECT_EQ(m.subject(), "edge-1.command.sync.state");
  EXPECT_EQ(m.data(), "state-7");
  EXPECT_EQ(m.stream_sequence(), seq);
  EXPECT_EQ(m.delivery_count(), 1u);
  ASSERT_EQ(m.headers().count("Nats-Msg-Id"), 1u);
  EXPECT_EQ(m.headers().find("Nats-Msg-Id")->second, "cmd-1");
}

TEST_F(NatsJetStream, NakedMessageIsRedeliveredWithDeliveryCountTwo) {
  publish("state-7", "cmd-1");
  auto sub = bind();
  auto first = sub.fetch(1, 2s);
  ASSERT_TRUE(first && first->size() == 1u);
  ASSERT_TRUE(first->front().nak());

  auto again = sub.fetch(1, 2s);
  ASSERT_TRUE(again) << again.error().message();
  ASSERT_EQ(again->size(), 1u);
  EXPECT_EQ(again->front().data(), "state-7");
  EXPECT_EQ(again->front().delivery_count(), 2u);
}

TEST_F(NatsJetStream, NakWithADelayHoldsTheRedeliveryBack) {
  publish("state-7", "cmd-1");
  auto sub = bind();
  auto first = sub.fetch(1, 2s);
  ASSERT_TRUE(first && first->size() == 1u);
  ASSERT_TRUE(first->front().nak(700ms));
  expect_quiet_then_redelivered(sub, 300ms, "redelivered before the nak delay");
}

TEST_F(NatsJetStream, AckOnAWorkQueueRemovesTheMessage) {
  publish("state-7", "cmd-1");
  auto sub = bind();
  auto messages = sub.fetch(1, 2s);
  ASSERT_TRUE(messages && messages->size() == 1u);
  EXPECT_EQ(info().num_ack_pending, 1);

  ASSERT_TRUE(messages->front().ack());
  const ConsumerInfo after = info();
  EXPECT_EQ(after.num_pending, 0u);
  EXPECT_EQ(after.num_ack_pending, 0);
  auto none = sub.fetch(1, 200ms);
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->empty());
}

TEST_F(NatsJetStream, MessagesPublishedWhileTheClientWasAwayAreFetchedOnRebind) {
  {
    auto satellite = Connection::connect(test_options(server_->url()));
    ASSERT_TRUE(satellite);
    auto js = JetStream::create(**satellite);
    ASSERT_TRUE(js);
    auto sub = PullSubscription::bind(*js, kStream, kDurable);
    ASSERT_TRUE(sub);
    auto none = sub->fetch(5, 100ms);
    ASSERT_TRUE(none && none->empty());
  }  // the satellite goes away
  for (int i = 1; i <= 3; ++i) publish("s" + std::to_string(i), "cmd-" + std::to_string(i));

  auto satellite = Connection::connect(test_options(server_->url()));
  ASSERT_TRUE(satellite);
  auto js = JetStream::create(**satellite);
  ASSERT_TRUE(js);
  auto sub = PullSubscription::bind(*js, kStream, kDurable);
  ASSERT_TRUE(sub) << sub.error().message();
  auto messages = sub->fetch(10, 2s);
  ASSERT_TRUE(messages);
  ASSERT_EQ(messages->size(), 3u);
  for (int i = 0; i < 3; ++i) EXPECT_EQ((*messages)[i].data(), "s" + std::to_string(i + 1));
}

TEST_F(NatsJetStream, StoredMessagesSurviveAServerKillAndRestart) {
  publish("s1", "cmd-1");
  publish("s2", "cmd-2");
  auto sub = bind();

  server_->stop();
  ASSERT_TRUE(states_.wait_for_value(ConnectionState::kDisconnected));
  server_->start_again();
  ASSERT_TRUE(states_.wait_for_value(ConnectionState::kReconnected));

  // The same client, subscription and consumer carry on after the reconnect.
  std::vector<JsMessage> got;
  for (int attempt = 0; attempt < 10 && got.size() < 2; ++attempt) {
    auto messages = sub.fetch(10, 500ms);
    ASSERT_TRUE(messages) << messages.error().message();
    for (auto& m : *messages) got.push_back(std::move(m));
  }
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].data(), "s1");
  EXPECT_EQ(got[1].data(), "s2");
  // A message id stays known across the restart too.
  auto dup = js_->publish("edge-1.command.sync.state", "s1", "cmd-1");
  ASSERT_TRUE(dup) << dup.error().message();
  EXPECT_TRUE(dup->duplicate);
}

// A satellite started while NATS is down: it makes its context at once, and binds and
// fetches once the connection comes up.
TEST_F(NatsJetStream, SatelliteStartedWhileNatsIsDownFetchesOnceItIsUp) {
  publish("queued", "cmd-1");
  server_->stop();
  Recorder<ConnectionState> states;
  auto satellite = Connection::connect(test_options(server_->url(), states));
  ASSERT_TRUE(satellite) << satellite.error().message();
  auto js = JetStream::create(**satellite);
  ASSERT_TRUE(js) << js.error().message();

  server_->start_again();
  ASSERT_TRUE(states.wait_for_value(ConnectionState::kConnected));
  std::optional<PullSubscription> sub;
  for (int attempt = 0; attempt < 10 && !sub; ++attempt) {
    auto bound = PullSubscription::bind(*js, kStream, kDurable);
    if (bound) sub.emplace(std::move(*bound));  // else JetStream may still be recovering
  }
  ASSERT_TRUE(sub);
  auto messages = sub->fetch(1, 2s);
  ASSERT_TRUE(messages) << messages.error().message();
  ASSERT_EQ(messages->size(), 1u);
  EXPECT_EQ(messages->front().data(), "queued");
  EXPECT_TRUE(messages->front().ack());
}

class NatsJetStreamShortAckWait : public NatsJetStream {
 protected:
  NatsJetStreamShortAckWait() { ack_wait_ = 1s; }
};

TEST_F(NatsJetStreamShortAckWait, InProgressKeepsTheMessageFromBeingRedelivered) {
  publish("long pull", "cmd-1");
  auto sub = bind();
  auto messages = sub.fetch(1, 2s);
  ASSERT_TRUE(messages && messages->size() == 1u);
  JsMessage& m = messages->front();

  // 1.4 s of work against a 1 s ack wait, reporting progress every 0.7 s.
  for (int i = 0; i < 2; ++i) {
    std::this_thread::sleep_for(700ms);
    ASSERT_TRUE(m.in_progress());
    ASSERT_TRUE(connection_->flush(1s));
  }
  // Once the progress reports stop, the ack wait runs out and it comes again.
  expect_quiet_then_redelivered(sub, 300ms, "redelivered although in progress");
}

TEST_F(NatsJetStreamShortAckWait, TermedMessageIsNeverRedelivered) {
  publish("unparsable", "cmd-1");
  auto sub = bind();
  auto messages = sub.fetch(1, 2s);
  ASSERT_TRUE(messages && messages->size() == 1u);
  ASSERT_TRUE(messages->front().term());
  ASSERT_TRUE(connection_->flush(1s));

  auto after = sub.fetch(1, 1500ms);  // past the 1 s ack wait
  ASSERT_TRUE(after);
  EXPECT_TRUE(after->empty());
  EXPECT_EQ(info().num_ack_pending, 0);
}

// The permissions ADR 0008 gives a satellite: it can bind, fetch and ack its own commands
// (through its own inbox prefix) without any right to create consumers.
TEST(NatsJetStreamPermissions, SatelliteBindsFetchesAndAcksWithItsMinimalRights) {
  auto server = NatsServerInstance::start(
      "authorization { users = [\n"
      "  { user: gc, password: gc }\n"
      "  { user: sat, password: sat, permissions: {\n"
      "      publish: { allow: [\"edge-1.event.>\",\n"
      "        \"$JS.API.CONSUMER.INFO.SATELLITE_COMMANDS.sat-edge-1\",\n"
      "        \"$JS.API.CONSUMER.MSG.NEXT.SATELLITE_COMMANDS.sat-edge-1\",\n"
      "        \"$JS.ACK.SATELLITE_COMMANDS.sat-edge-1.>\"] }\n"
      "      subscribe: { allow: [\"_INBOX_edge-1.>\"] } } }\n"
      "] }");
  const std::string host = "@127.0.0.1:" + std::to_string(server->port());
  auto gc = Connection::connect(test_options("nats://gc:gc" + host));
  ASSERT_TRUE(gc) << gc.error().message();
  auto gc_js = JetStream::create(**gc);
  ASSERT_TRUE(gc_js);
  ASSERT_TRUE(gc_js->ensure_stream(commands_stream()));
  ASSERT_TRUE(gc_js->ensure_consumer(kStream, edge_consumer()));
  ASSERT_TRUE(gc_js->publish("edge-1.command.report.status", "now", "cmd-9"));

  Recorder<std::string> errors;
  auto options = test_options("nats://sat:sat" + host);
  options.inbox_prefix = "_INBOX_edge-1";
  options.on_async_error = [&](std::string_view e) { errors.add(std::string(e)); };
  auto sat = Connection::connect(options);
  ASSERT_TRUE(sat) << sat.error().message();
  auto js = JetStream::create(**sat, JetStreamOptions{.timeout = 1s});
  ASSERT_TRUE(js);
  auto sub = PullSubscription::bind(*js, kStream, kDurable);
  ASSERT_TRUE(sub) << sub.error().message();
  auto messages = sub->fetch(1, 2s);
  ASSERT_TRUE(messages) << messages.error().message();
  ASSERT_EQ(messages->size(), 1u);
  EXPECT_EQ(messages->front().data(), "now");
  ASSERT_TRUE(messages->front().ack());
  auto info = gc_js->consumer_info(kStream, kDurable);
  ASSERT_TRUE(info);
  EXPECT_EQ(info->num_pending, 0u);
  EXPECT_EQ(info->num_ack_pending, 0);

  // Creating a consumer is beyond its rights.
  auto create = js->ensure_consumer(kStream, ConsumerSpec{.durable = "sat-other"});
  EXPECT_FALSE(create);
  EXPECT_TRUE(errors.wait_for(
      [](const std::string& e) { return e.find("Permissions Violation") != std::string::npos; }));
}

}  // namespace
}  // namespace common::nats
