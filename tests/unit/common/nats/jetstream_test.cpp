#include "common/nats/jetstream.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "jetstream_fixture.hpp"

namespace common::nats {
namespace {

using namespace std::chrono_literals;

TEST_F(NatsJetStream, EnsuringTheSameStreamAndConsumerAgainIsANoOp) {
  EXPECT_TRUE(js_->ensure_stream(commands_stream()));
  EXPECT_TRUE(js_->ensure_consumer(kStream, edge_consumer()));
  publish("a", "cmd-1");
  // Neither call recreated anything: the stored message is still there for the consumer.
  EXPECT_TRUE(js_->ensure_stream(commands_stream()));
  EXPECT_TRUE(js_->ensure_consumer(kStream, edge_consumer()));
  EXPECT_EQ(info().num_pending, 1u);
}

TEST_F(NatsJetStream, EnsureUpdatesAStreamAndConsumerWithOtherConfig) {
  publish("a", "cmd-1");
  StreamSpec longer = commands_stream();
  longer.max_age = std::chrono::hours(48);
  longer.subjects.push_back("*.urgent.>");
  ASSERT_TRUE(js_->ensure_stream(longer));
  ASSERT_TRUE(js_->ensure_consumer(kStream, edge_consumer(7s)));
  // Updated in place, not recreated: the message survived; the new subject is captured.
  EXPECT_EQ(info().num_pending, 1u);
  auto ack = js_->publish("edge-1.urgent.x", "u", "");
  ASSERT_TRUE(ack) << ack.error().message();
  EXPECT_EQ(ack->stream, kStream);
}

TEST_F(NatsJetStream, ChangingRetentionIsRefused) {
  StreamSpec limits = commands_stream();
  limits.retention = Retention::kLimits;
  auto ok = js_->ensure_stream(limits);
  ASSERT_FALSE(ok);
  EXPECT_NE(ok.error().message().find(kStream), std::string::npos) << ok.error().message();
}

TEST_F(NatsJetStream, ConsumerOnAMissingStreamIsNotFound) {
  auto ok = js_->ensure_consumer("NO_SUCH_STREAM", edge_consumer());
  ASSERT_FALSE(ok);
  EXPECT_EQ(ok.error().code(), ErrorCode::kNotFound) << ok.error().message();
}

TEST_F(NatsJetStream, SameMessageIdTwiceIsStoredOnce) {
  auto first = js_->publish("edge-1.command.sync.state", "v1", "cmd-42");
  auto second = js_->publish("edge-1.command.sync.state", "v1", "cmd-42");
  ASSERT_TRUE(first && second);
  EXPECT_EQ(first->stream, kStream);
  EXPECT_FALSE(first->duplicate);
  EXPECT_TRUE(second->duplicate);
  EXPECT_EQ(second->sequence, first->sequence);
  EXPECT_EQ(info().num_pending, 1u);
}

TEST_F(NatsJetStream, PublishToASubjectNoStreamCapturesFails) {
  auto ack = js_->publish("nowhere.at.all", "x", "id");
  ASSERT_FALSE(ack);
  EXPECT_EQ(ack.error().code(), ErrorCode::kUnavailable) << ack.error().message();
}

TEST_F(NatsJetStream, ABatchIsStoredInOrderWithEachOutcomeInItsPlace) {
  const auto before = publish("earlier", "cmd-0");
  std::vector<std::string> bodies;
  for (int i = 0; i < 300; ++i) bodies.push_back("v" + std::to_string(i));
  std::vector<std::string> ids;
  for (int i = 0; i < 300; ++i) ids.push_back("batch-" + std::to_string(i));
  std::vector<JetStream::Outgoing> batch;
  for (int i = 0; i < 300; ++i) batch.push_back({"edge-1.command.sync.state", bodies[i], ids[i]});
  batch[7] = {"nowhere.at.all", "x", "lost"};                  // no stream: fails alone
  batch[9] = {"edge-1.command.sync.state", "again", "cmd-0"};  // a repeat: stored once
  const auto acks = js_->publish_all(batch);
  ASSERT_EQ(acks.size(), 300u);
  std::uint64_t last = before;
  for (int i = 0; i < 300; ++i) {
    if (i == 7) {
      ASSERT_FALSE(acks[i]);
      EXPECT_EQ(acks[i].error().code(), ErrorCode::kUnavailable) << acks[i].error().message();
      continue;
    }
    ASSERT_TRUE(acks[i]) << i << ": " << acks[i].error().message();
    EXPECT_EQ(acks[i]->stream, kStream);
    if (i == 9) {
      EXPECT_TRUE(acks[i]->duplicate);
      EXPECT_EQ(acks[i]->sequence, before);
      continue;
    }
    EXPECT_FALSE(acks[i]->duplicate);
    EXPECT_GT(acks[i]->sequence, last) << i;  // stored in the order given
    last = acks[i]->sequence;
  }
  EXPECT_EQ(info().num_pending, 1u + 298u);
  // The same batch again: every stored one is a duplicate, nothing new is stored.
  const auto again = js_->publish_all(batch);
  for (int i = 0; i < 300; ++i)
    if (i != 7) EXPECT_TRUE(again[i] && again[i]->duplicate) << i;
  EXPECT_EQ(info().num_pending, 1u + 298u);
  EXPECT_TRUE(js_->publish_all({}).empty());
}

TEST_F(NatsJetStream, DeleteMessageRemovesAMessageNotYetDelivered) {
  const auto expired = publish("old", "cmd-1");
  publish("new", "cmd-2");
  ASSERT_TRUE(js_->delete_message(kStream, expired));
  EXPECT_EQ(info().num_pending, 1u);

  auto sub = bind();
  auto messages = sub.fetch(10, 500ms);
  ASSERT_TRUE(messages);
  ASSERT_EQ(messages->size(), 1u);
  EXPECT_EQ(messages->front().data(), "new");

  auto again = js_->delete_message(kStream, expired);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code(), ErrorCode::kNotFound)
      << again.error().message() << again.error().detail();
}

TEST_F(NatsJetStream, ConsumerNamesListsEveryConsumerAndDeleteRemovesOne) {
  ConsumerSpec other = edge_consumer();
  other.durable = "sat-edge-2";
  other.filter_subject = "edge-2.command.>";
  ASSERT_TRUE(js_->ensure_consumer(kStream, other));
  auto names = js_->consumer_names(kStream);
  ASSERT_TRUE(names) << names.error().message();
  std::sort(names->begin(), names->end());
  EXPECT_EQ(*names, (std::vector<std::string>{kDurable, "sat-edge-2"}));

  ASSERT_TRUE(js_->delete_consumer(kStream, kDurable));
  names = js_->consumer_names(kStream);
  ASSERT_TRUE(names) << names.error().message();
  EXPECT_EQ(*names, std::vector<std::string>{"sat-edge-2"});
  auto again = js_->delete_consumer(kStream, kDurable);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code(), ErrorCode::kNotFound) << again.error().message();

  ASSERT_TRUE(js_->delete_consumer(kStream, "sat-edge-2"));
  names = js_->consumer_names(kStream);
  ASSERT_TRUE(names) << names.error().message();
  EXPECT_TRUE(names->empty());
  auto missing = js_->consumer_names("NO_SUCH_STREAM");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code(), ErrorCode::kNotFound) << missing.error().message();
}

TEST_F(NatsJetStream, PurgeSubjectRemovesOnlyTheMatchingMessages) {
  ConsumerSpec other = edge_consumer();
  other.durable = "sat-edge-2";
  other.filter_subject = "edge-2.command.>";
  ASSERT_TRUE(js_->ensure_consumer(kStream, other));
  publish("a", "cmd-1");
  ASSERT_TRUE(js_->publish("edge-1.command.report.status", "b", "cmd-2"));
  ASSERT_TRUE(js_->publish("edge-2.command.sync.state", "c", "cmd-3"));

  ASSERT_TRUE(js_->purge_subject(kStream, "edge-1.command.>"));
  EXPECT_EQ(info().num_pending, 0u);
  auto kept = js_->consumer_info(kStream, "sat-edge-2");
  ASSERT_TRUE(kept) << kept.error().message();
  EXPECT_EQ(kept->num_pending, 1u);
}

TEST_F(NatsJetStream, APerSubjectLimitKeepsTheNewestMessages) {
  StreamSpec bounded = commands_stream();
  bounded.max_messages_per_subject = 3;
  bounded.max_bytes = 1 << 20;
  ASSERT_TRUE(js_->ensure_stream(bounded));
  ASSERT_TRUE(js_->ensure_stream(bounded));  // the same limits again: nothing changes
  for (int i = 0; i < 5; ++i) publish("v" + std::to_string(i), "cmd-" + std::to_string(i));
  ASSERT_TRUE(js_->publish("edge-1.command.report.status", "other", "cmd-other"));
  EXPECT_EQ(info().num_pending, 4u);  // three of sync.state, the one of report.status

  auto sub = bind();
  auto messages = sub.fetch(10, 500ms);
  ASSERT_TRUE(messages);
  ASSERT_EQ(messages->size(), 4u);
  EXPECT_EQ(messages->front().data(), "v2");
}

TEST_F(NatsJetStream, WhileDisconnectedCallsFailFastAndFetchWaitsQuietly) {
  auto sub = bind();
  server_->stop();
  ASSERT_TRUE(states_.wait_for_value(ConnectionState::kDisconnected));

  const auto start = std::chrono::steady_clock::now();
  auto ack = js_->publish("edge-1.command.sync.state", "x", "cmd-1");
  ASSERT_FALSE(ack);
  EXPECT_EQ(ack.error().code(), ErrorCode::kUnavailable) << ack.error().message();
  const std::vector<JetStream::Outgoing> batch{{"edge-1.command.sync.state", "x", "cmd-2"}};
  const auto acks = js_->publish_all(batch);
  ASSERT_EQ(acks.size(), 1u);
  ASSERT_FALSE(acks[0]);
  EXPECT_EQ(acks[0].error().code(), ErrorCode::kUnavailable) << acks[0].error().message();
  auto info = js_->consumer_info(kStream, kDurable);
  ASSERT_FALSE(info);
  EXPECT_EQ(info.error().code(), ErrorCode::kUnavailable);
  auto bound = PullSubscription::bind(*js_, kStream, kDurable);
  ASSERT_FALSE(bound);
  EXPECT_EQ(bound.error().code(), ErrorCode::kUnavailable);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 500ms);  // not the 2 s API timeout

  // A satellite's fetch loop neither spins nor fails while NATS is away.
  const auto fetch_start = std::chrono::steady_clock::now();
  auto messages = sub.fetch(1, 300ms);
  ASSERT_TRUE(messages) << messages.error().message();
  EXPECT_TRUE(messages->empty());
  EXPECT_GE(std::chrono::steady_clock::now() - fetch_start, 250ms);
}

}  // namespace
}  // namespace common::nats
