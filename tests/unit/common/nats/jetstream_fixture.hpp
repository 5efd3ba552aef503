// The JetStream tests' fixture: a fresh nats-server holding ADR 0008's commands stream and
// one satellite's durable pull consumer, and a client with a JetStream context on it.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>

#include "common/nats/connection.hpp"
#include "common/nats/jetstream.hpp"
#include "common/nats/pull_subscription.hpp"
#include "nats_test_support.hpp"
#include "testutil/nats_server_instance.hpp"

namespace common::nats {

inline constexpr const char* kStream = "SATELLITE_COMMANDS";
inline constexpr const char* kDurable = "sat-edge-1";

inline StreamSpec commands_stream() {
  return StreamSpec{.name = kStream,
                    .subjects = {"*.command.>"},
                    .retention = Retention::kWorkQueue,
                    .storage = Storage::kFile,
                    .max_age = std::chrono::hours(24),
                    .duplicate_window = std::chrono::minutes(2)};
}

inline ConsumerSpec edge_consumer(std::chrono::milliseconds ack_wait = std::chrono::seconds(5)) {
  return ConsumerSpec{.durable = kDurable,
                      .filter_subject = "edge-1.command.>",
                      .ack_wait = ack_wait,
                      .max_deliver = -1};
}

class NatsJetStream : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = testutil::NatsServerInstance::start();
    connect();
    ASSERT_TRUE(js_->ensure_stream(commands_stream()));
    ASSERT_TRUE(js_->ensure_consumer(kStream, edge_consumer(ack_wait_)));
  }

  void connect() {
    auto connection = Connection::connect(nats_test::test_options(server_->url(), states_));
    ASSERT_TRUE(connection) << connection.error().message();
    connection_ = std::move(*connection);
    auto js = JetStream::create(*connection_, JetStreamOptions{.timeout = std::chrono::seconds(2)});
    ASSERT_TRUE(js) << js.error().message();
    js_.emplace(std::move(*js));
  }

  PullSubscription bind() {
    auto sub = PullSubscription::bind(*js_, kStream, kDurable);
    if (!sub) throw std::runtime_error(sub.error().message());
    return std::move(*sub);
  }

  // Nothing comes for `quiet`, then the message comes again (its second delivery).
  static void expect_quiet_then_redelivered(PullSubscription& sub, std::chrono::milliseconds quiet,
                                            const std::string& why) {
    auto early = sub.fetch(1, quiet);
    ASSERT_TRUE(early);
    EXPECT_TRUE(early->empty()) << why;
    auto later = sub.fetch(1, std::chrono::seconds(2));
    ASSERT_TRUE(later);
    ASSERT_EQ(later->size(), 1u);
    EXPECT_EQ(later->front().delivery_count(), 2u);
  }

  std::uint64_t publish(const std::string& data, const std::string& id) {
    auto ack = js_->publish("edge-1.command.sync.state", data, id);
    if (!ack) throw std::runtime_error(ack.error().message());
    return ack->sequence;
  }

  ConsumerInfo info() {
    auto info = js_->consumer_info(kStream, kDurable);
    if (!info) throw std::runtime_error(info.error().message());
    return *info;
  }

  std::chrono::milliseconds ack_wait_ = std::chrono::seconds(5);
  std::unique_ptr<testutil::NatsServerInstance> server_;
  nats_test::Recorder<ConnectionState> states_;
  std::unique_ptr<Connection> connection_;
  std::optional<JetStream> js_;
};

}  // namespace common::nats
