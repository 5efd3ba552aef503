// Connection's JWT callbacks against a real nats-server in operator mode, with keys and
// JWTs from common_nats_auth: what a satellite does with the user JWT ground control issued
// and the nkey it keeps on the device.
#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <string>

#include "common/nats/connection.hpp"
#include "common/nats/nats_jwt.hpp"
#include "common/nats/nkey.hpp"
#include "nats_test_support.hpp"
#include "testutil/nats_operator.hpp"
#include "testutil/nats_server_instance.hpp"

namespace common::nats {
namespace {

using namespace std::chrono_literals;
using nats_test::Recorder;
using nats_test::test_options;

// An operator-mode server with one account (and its signing key) for satellites.
class NatsJwtConnection : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = testutil::NatsServerInstance::start(operator_.server_config(false));
  }

  std::string user_jwt(const Nkey& user, Permissions permissions,
                       std::optional<TimePoint> expires = std::nullopt) {
    auto jwt = operator_.user_jwt(user.public_key(), std::move(permissions), expires);
    EXPECT_TRUE(jwt) << jwt.error().message();
    return jwt.value_or("");
  }

  // Options that authenticate as `user` with whatever `jwt` holds at connect time.
  ConnectionOptions options_for(const Nkey& user, const std::string& jwt,
                                Recorder<ConnectionState>& states) {
    auto options = test_options(server_->url(), states);
    options.user_jwt = [jwt] { return jwt; };
    options.sign_nonce = [&user](std::string_view nonce) { return user.sign(nonce); };
    return options;
  }

  // A connection with `options` that is up: a new Connection after one that ends closed,
  // as the owners do (satellite::fleet::NatsChannel, groundcontrol::messaging::NatsLink),
  // because libnats 3.4.1 closes a connection whose first connect the server refuses, and
  // it drops a signature that starts with a 0 byte (1 connect in 256). `options.on_state`
  // hears only the connection returned, from its kConnected on. Null after `attempts`.
  static std::unique_ptr<Connection> connect_up(ConnectionOptions options, int attempts = 3) {
    for (int i = 0; i < attempts; ++i) {
      auto seen = std::make_shared<Recorder<ConnectionState>>();
      auto live = std::make_shared<std::atomic<bool>>(false);
      auto attempt = options;
      attempt.on_state = [seen, live, forward = options.on_state](ConnectionState state) {
        if (state == ConnectionState::kConnected) live->store(true);
        seen->add(state);
        if (live->load() && forward) forward(state);
      };
      auto connection = Connection::connect(attempt);
      if (!connection) {
        ADD_FAILURE() << connection.error().message();
        return nullptr;
      }
      if ((*connection)->connected()) {
        live->store(true);
        return std::move(*connection);
      }
      seen->wait_for([](ConnectionState s) {
        return s == ConnectionState::kConnected || s == ConnectionState::kClosed;
      });
      if ((*connection)->connected()) return std::move(*connection);
    }
    return nullptr;
  }

  testutil::NatsOperator operator_;
  Nkey admin_ = Nkey::generate(NkeyType::kUser);
  Nkey satellite_ = Nkey::generate(NkeyType::kUser);
  std::unique_ptr<testutil::NatsServerInstance> server_;
};

TEST_F(NatsJwtConnection, SatelliteConnectsWithItsJwtAndIsHeldToItsPermissions) {
  Recorder<ConnectionState> admin_states;
  auto admin = connect_up(options_for(admin_, user_jwt(admin_, {}), admin_states));
  ASSERT_TRUE(admin) << server_->log();
  Recorder<Message> events;
  auto sub = admin->subscribe("edge-1.event.>", [&](Message m) { events.add(m); });
  ASSERT_TRUE(sub && admin->flush(2s));

  Permissions permissions;
  permissions.pub.allow = {"edge-1.event.>"};
  permissions.sub.allow = {"_INBOX_edge-1.>"};
  Recorder<ConnectionState> states;
  Recorder<std::string> errors;
  auto options = options_for(satellite_, user_jwt(satellite_, permissions), states);
  options.on_async_error = [&](std::string_view e) { errors.add(std::string(e)); };
  auto satellite = connect_up(options);
  ASSERT_TRUE(satellite) << server_->log();

  ASSERT_TRUE(satellite->publish("edge-1.event.sync.started", "go"));
  EXPECT_TRUE(events.wait_for([](const Message& m) { return m.data == "go"; }));
  ASSERT_TRUE(satellite->publish("edge-2.event.sync.started", "forged"));
  EXPECT_TRUE(errors.wait_for([](const std::string& e) {
    return e.find("Permissions Violation") != std::string::npos &&
           e.find("edge-2.event.sync.started") != std::string::npos;
  })) << ::testing::PrintToString(errors.values());
}

// What 1 connect in 256 meets: the first connect's signature starts with a 0 byte, which
// libnats 3.4.1 drops, and the server refuses the connect. libnats then closes the
// connection for good (no retry, however retry_on_failed_connect is set): the owner sees
// kClosed at once, not a connection that never comes up, and a new Connection gets in.
TEST_F(NatsJwtConnection, AFirstConnectTheServerRefusesEndsInClosedAndANewOneGetsIn) {
  Recorder<ConnectionState> states;
  auto options = options_for(satellite_, user_jwt(satellite_, {}), states);
  std::atomic<int> signed_nonces = 0;
  options.sign_nonce = [&](std::string_view nonce) {
    std::string signature = satellite_.sign(nonce);
    if (signed_nonces++ == 0) signature[0] = '\0';
    return signature;
  };
  auto refused = Connection::connect(options);
  ASSERT_TRUE(refused) << refused.error().message();  // NOT_YET_CONNECTED: retrying, it says
  EXPECT_TRUE(states.wait_for_value(ConnectionState::kClosed))
      << ::testing::PrintToString(states.values());
  EXPECT_FALSE((*refused)->connected());
  EXPECT_EQ(signed_nonces, 1);
  EXPECT_NE(server_->log().find("authentication error"), std::string::npos) << server_->log();

  auto again = connect_up(options);
  ASSERT_TRUE(again) << server_->log();
  EXPECT_TRUE(again->connected());
  EXPECT_GE(signed_nonces, 2);
}

// The JWT is asked for on every connect, so a reconnect presents the refreshed one.
TEST_F(NatsJwtConnection, ReconnectAsksForTheJwtAgain) {
  Recorder<ConnectionState> states;
  std::atomic<int> asked = 0;
  auto options = options_for(satellite_, user_jwt(satellite_, {}), states);
  options.user_jwt = [&, jwt = user_jwt(satellite_, {})] {
    ++asked;
    return jwt;
  };
  auto satellite = connect_up(options);
  ASSERT_TRUE(satellite) << server_->log();
  const int before = asked;

  server_->stop();
  server_->start_again();
  ASSERT_TRUE(states.wait_for_value(ConnectionState::kReconnected));
  EXPECT_GT(asked, before);
}

// A refused JWT makes libnats give up: the connection closes for good (kClosed) and the
// owner must connect again once it has valid credentials.
TEST_F(NatsJwtConnection, AnExpiredJwtEndsInClosed) {
  Recorder<ConnectionState> states;
  auto expired = user_jwt(satellite_, {}, std::chrono::system_clock::now() - 10s);
  auto satellite = Connection::connect(options_for(satellite_, expired, states));
  ASSERT_TRUE(satellite) << satellite.error().message();  // retrying in the background
  EXPECT_TRUE(states.wait_for_value(ConnectionState::kClosed));
  EXPECT_FALSE((*satellite)->connected());
}

}  // namespace
}  // namespace common::nats
