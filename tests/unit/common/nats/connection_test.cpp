#include "common/nats/connection.hpp"
#include "common/nats/jetstream.hpp"
#include "common/nats/pull_subscription.hpp"

// Users of common_nats must not see the C API: none of its public headers may include it.
#ifdef NATS_H_
#error "a common/nats public header includes <nats/nats.h>"
#endif

#include <gtest/gtest.h>

#include <atomic>
#include <string>

#include "common/nats/subscription.hpp"
#include "nats_test_support.hpp"
#include "testutil/nats_server_instance.hpp"

namespace common::nats {
namespace {

using namespace std::chrono_literals;
using nats_test::eventually;
using nats_test::Recorder;
using nats_test::test_options;
using testutil::NatsServerInstance;

std::unique_ptr<Connection> connect_or_die(ConnectionOptions options) {
  auto connection = Connection::connect(std::move(options));
  if (!connection) {
    ADD_FAILURE() << connection.error().message();
    return nullptr;
  }
  return std::move(*connection);
}

TEST(NatsConnection, PublishedMessageReachesSubscriberWithHeaders) {
  auto server = NatsServerInstance::start();
  auto connection = connect_or_die(test_options(server->url()));
  ASSERT_TRUE(connection);
  EXPECT_TRUE(connection->connected());
  Recorder<Message> received;
  auto sub = connection->subscribe("edge-1.event.>", [&](Message m) { received.add(m); });
  ASSERT_TRUE(sub) << sub.error().message();

  ASSERT_TRUE(connection->publish("edge-1.event.disk.low", "12%", {{"Reason", "threshold"}}));
  ASSERT_TRUE(connection->flush(2s));

  ASSERT_TRUE(received.wait_for([](const Message& m) { return m.data == "12%"; }));
  const Message m = received.values().front();
  EXPECT_EQ(m.subject, "edge-1.event.disk.low");
  ASSERT_EQ(m.headers.count("Reason"), 1u);
  EXPECT_EQ(m.headers.find("Reason")->second, "threshold");
}

TEST(NatsConnection, UnsubscribedHandlerGetsNoMoreMessages) {
  auto server = NatsServerInstance::start();
  auto connection = connect_or_die(test_options(server->url()));
  ASSERT_TRUE(connection);
  std::atomic<int> count = 0;
  auto sub = connection->subscribe("ticks", [&](Message) { ++count; });
  ASSERT_TRUE(sub);
  ASSERT_TRUE(connection->publish("ticks", "1"));
  ASSERT_TRUE(eventually([&] { return count == 1; }));

  sub->unsubscribe();
  EXPECT_FALSE(sub->active());
  ASSERT_TRUE(connection->publish("ticks", "2"));
  ASSERT_TRUE(connection->flush(2s));
  std::this_thread::sleep_for(100ms);
  EXPECT_EQ(count, 1);
}

// What makes it safe to destroy what a handler uses right after unsubscribing.
TEST(NatsConnection, UnsubscribeWaitsForARunningHandlerToReturn) {
  auto server = NatsServerInstance::start();
  auto connection = connect_or_die(test_options(server->url()));
  ASSERT_TRUE(connection);
  std::atomic<bool> entered = false;
  std::atomic<bool> finished = false;
  auto sub = connection->subscribe("slow", [&](Message) {
    entered = true;
    std::this_thread::sleep_for(300ms);
    finished = true;
  });
  ASSERT_TRUE(sub);
  ASSERT_TRUE(connection->publish("slow", "x"));
  ASSERT_TRUE(eventually([&] { return entered.load(); }));

  sub->unsubscribe();
  EXPECT_TRUE(finished);
}

TEST(NatsConnection, RequestGetsTheResponderAnswer) {
  auto server = NatsServerInstance::start();
  auto responder = connect_or_die(test_options(server->url()));
  auto client = connect_or_die(test_options(server->url()));
  ASSERT_TRUE(responder && client);
  auto sub = responder->subscribe(
      "svc.echo", [&](Message m) { (void)responder->publish(m.reply, "echo:" + m.data); });
  ASSERT_TRUE(sub);
  ASSERT_TRUE(responder->flush(2s));

  auto reply = client->request("svc.echo", "hi", 2s);
  ASSERT_TRUE(reply) << reply.error().message();
  EXPECT_EQ(reply->data, "echo:hi");
}

TEST(NatsConnection, RequestWithoutResponderFailsFastAsUnavailable) {
  auto server = NatsServerInstance::start();
  auto client = connect_or_die(test_options(server->url()));
  ASSERT_TRUE(client);
  const auto start = std::chrono::steady_clock::now();
  auto reply = client->request("nobody.listens", "hi", 3s);
  ASSERT_FALSE(reply);
  EXPECT_EQ(reply.error().code(), ErrorCode::kUnavailable) << reply.error().message();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);
}

TEST(NatsConnection, ConnectWithoutRetryToAStoppedServerIsUnavailable) {
  auto server = NatsServerInstance::start();
  server->stop();
  auto options = test_options(server->url());
  options.retry_on_failed_connect = false;
  auto connection = Connection::connect(options);
  ASSERT_FALSE(connection);
  EXPECT_EQ(connection.error().code(), ErrorCode::kUnavailable);
  EXPECT_NE(connection.error().message().find(server->url()), std::string::npos)
      << connection.error().message();
}

TEST(NatsConnection, StartedWhileServerIsDownConnectsWhenItComesUp) {
  auto server = NatsServerInstance::start();
  server->stop();
  Recorder<ConnectionState> states;
  auto connection = connect_or_die(test_options(server->url(), states));
  ASSERT_TRUE(connection);
  EXPECT_FALSE(connection->connected());

  server->start_again();
  ASSERT_TRUE(states.wait_for_value(ConnectionState::kConnected));
  EXPECT_TRUE(connection->connected());
  Recorder<Message> received;
  auto sub = connection->subscribe("hello", [&](Message m) { received.add(m); });
  ASSERT_TRUE(sub);
  ASSERT_TRUE(connection->publish("hello", "world"));
  EXPECT_TRUE(received.wait_for([](const Message& m) { return m.data == "world"; }));
}

// The destructor returns only after libnats's last callback has returned, so callbacks may
// use what the connection's owner destroys next; also when it never got connected.
TEST(NatsConnection, DestructorWaitsForTheLastCallbackEvenWhenNeverConnected) {
  for (const bool server_up : {true, false}) {
    auto server = NatsServerInstance::start();
    if (!server_up) server->stop();
    std::atomic<bool> closed_reported = false;
    auto options = test_options(server->url());
    options.on_state = [&](ConnectionState s) {
      if (s != ConnectionState::kClosed) return;
      std::this_thread::sleep_for(200ms);
      closed_reported = true;
    };
    auto connection = connect_or_die(options);
    ASSERT_TRUE(connection);
    EXPECT_EQ(connection->connected(), server_up);
    connection.reset();  // must neither hang while libnats retries nor return early
    EXPECT_TRUE(closed_reported) << "server up: " << server_up;
  }
}

TEST(NatsConnection, ClosedConnectionRefusesWorkAsUnavailable) {
  auto server = NatsServerInstance::start();
  auto connection = connect_or_die(test_options(server->url()));
  ASSERT_TRUE(connection);
  connection->close();
  connection->close();  // idempotent
  EXPECT_FALSE(connection->connected());
  auto published = connection->publish("x", "y");
  ASSERT_FALSE(published);
  EXPECT_EQ(published.error().code(), ErrorCode::kUnavailable);
  auto sub = connection->subscribe("x", [](Message) {});
  ASSERT_FALSE(sub);
  EXPECT_EQ(sub.error().code(), ErrorCode::kUnavailable);
}

TEST(NatsConnection, ReconnectsByItselfAfterTheServerRestarts) {
  auto server = NatsServerInstance::start();
  Recorder<ConnectionState> states;
  auto connection = connect_or_die(test_options(server->url(), states));
  ASSERT_TRUE(connection);
  Recorder<Message> received;
  auto sub = connection->subscribe("after.restart", [&](Message m) { received.add(m); });
  ASSERT_TRUE(sub);

  server->stop();
  ASSERT_TRUE(states.wait_for_value(ConnectionState::kDisconnected));
  EXPECT_FALSE(connection->connected());
  server->start_again();
  ASSERT_TRUE(states.wait_for_value(ConnectionState::kReconnected));
  EXPECT_TRUE(connection->connected());

  // The subscription was restored on the new link: a message from another client arrives.
  auto other = connect_or_die(test_options(server->url()));
  ASSERT_TRUE(other);
  ASSERT_TRUE(connection->flush(2s));
  ASSERT_TRUE(other->publish("after.restart", "still here"));
  EXPECT_TRUE(received.wait_for([](const Message& m) { return m.data == "still here"; }));
}

TEST(NatsConnection, PermissionViolationSurfacesAsAsyncError) {
  auto server = NatsServerInstance::start(
      "authorization { users = [ { user: sat, password: pw, permissions: {"
      " publish: { deny: [\"secret.>\"] } } } ] }");
  Recorder<std::string> errors;
  auto options = test_options("nats://sat:pw@127.0.0.1:" + std::to_string(server->port()));
  options.on_async_error = [&](std::string_view text) { errors.add(std::string(text)); };
  auto connection = connect_or_die(options);
  ASSERT_TRUE(connection);

  ASSERT_TRUE(connection->publish("secret.plans", "x"));  // accepted locally, refused remotely
  (void)connection->flush(1s);
  EXPECT_TRUE(errors.wait_for([](const std::string& e) {
    return e.find("Permissions Violation") != std::string::npos &&
           e.find("secret.plans") != std::string::npos;
  })) << ::testing::PrintToString(errors.values());
}

TEST(NatsConnection, WrongPasswordIsRefused) {
  auto server =
      NatsServerInstance::start("authorization { users = [ { user: sat, password: pw } ] }");
  auto options = test_options("nats://sat:wrong@127.0.0.1:" + std::to_string(server->port()));
  options.retry_on_failed_connect = false;
  auto connection = Connection::connect(options);
  ASSERT_FALSE(connection);
  EXPECT_EQ(connection.error().code(), ErrorCode::kUnauthenticated) << connection.error().message();
}

// A server that knows one user nkey sends a nonce; both credential callbacks are asked on
// every connect attempt, and a refusal comes back as kUnauthenticated.
TEST(NatsConnection, JwtCallbacksAreAskedAndTheNonceIsPassedToTheSigner) {
  auto server = NatsServerInstance::start(
      "authorization { users = [ { nkey: "
      "\"UDXU4RCSJNZOIQHZNWXHXORDPRTGNJAHAHFRGZNEEJCPQTT2M7NLCNF4\" } ] }");
  std::atomic<int> jwt_calls = 0;
  Recorder<std::string> nonces;
  auto options = test_options(server->url());
  options.retry_on_failed_connect = false;
  options.user_jwt = [&] {
    ++jwt_calls;
    return std::string("not-a-real-jwt");
  };
  options.sign_nonce = [&](std::string_view nonce) {
    nonces.add(std::string(nonce));
    return std::string(64, '\0');  // a wrong signature of the right size
  };
  auto connection = Connection::connect(options);
  ASSERT_FALSE(connection);
  EXPECT_EQ(connection.error().code(), ErrorCode::kUnauthenticated) << connection.error().message();
  EXPECT_GE(jwt_calls, 1);
  ASSERT_FALSE(nonces.values().empty());
  EXPECT_FALSE(nonces.values().front().empty());
}

TEST(NatsConnection, EmptyJwtFailsTheConnectAttempt) {
  auto server = NatsServerInstance::start(
      "authorization { users = [ { nkey: "
      "\"UDXU4RCSJNZOIQHZNWXHXORDPRTGNJAHAHFRGZNEEJCPQTT2M7NLCNF4\" } ] }");
  auto options = test_options(server->url());
  options.retry_on_failed_connect = false;
  options.user_jwt = [] { return std::string(); };
  options.sign_nonce = [](std::string_view) { return std::string(64, 'x'); };
  auto connection = Connection::connect(options);
  ASSERT_FALSE(connection);
  EXPECT_NE(connection.error().message().find("no user JWT"), std::string::npos)
      << connection.error().message();
}

TEST(NatsConnection, OnlyOneJwtCallbackIsInvalid) {
  auto options = test_options("nats://127.0.0.1:1");
  options.user_jwt = [] { return std::string("jwt"); };
  auto connection = Connection::connect(options);
  ASSERT_FALSE(connection);
  EXPECT_EQ(connection.error().code(), ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace common::nats
