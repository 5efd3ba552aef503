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

  // Connected, allowing for libnats 3.4.1 dropping a signature that starts with a 0 byte
  // (1 connect in 256; see operator_mode_interop_test.cpp): it simply retries.
  static bool up(Connection& connection, Recorder<ConnectionState>& states) {
    return connection.connected() || states.wait_for_value(ConnectionState::kConnected);
  }

  testutil::NatsOperator operator_;
  Nkey admin_ = Nkey::generate(NkeyType::kUser);
  Nkey satellite_ = Nkey::generate(NkeyType::kUser);
  std::unique_ptr<testutil::NatsServerInstance> server_;
};

TEST_F(NatsJwtConnection, SatelliteConnectsWithItsJwtAndIsHeldToItsPermissions) {
  Recorder<ConnectionState> admin_states;
  auto admin = Connection::connect(options_for(admin_, user_jwt(admin_, {}), admin_states));
  ASSERT_TRUE(admin) << admin.error().message();
  ASSERT_TRUE(up(**admin, admin_states)) << server_->log();
  Recorder<Message> events;
  auto sub = (*admin)->subscribe("edge-1.event.>", [&](Message m) { events.add(m); });
  ASSERT_TRUE(sub && (*admin)->flush(2s));

  Permissions permissions;
  permissions.pub.allow = {"edge-1.event.>"};
  permissions.sub.allow = {"_INBOX_edge-1.>"};
  Recorder<ConnectionState> states;
  Recorder<std::string> errors;
  auto options = options_for(satellite_, user_jwt(satellite_, permissions), states);
  options.on_async_error = [&](std::string_view e) { errors.add(std::string(e)); };
  auto satellite = Connection::connect(options);
  ASSERT_TRUE(satellite) << satellite.error().message();
  ASSERT_TRUE(up(**satellite, states)) << server_->log();

  ASSERT_TRUE((*satellite)->publish("edge-1.event.sync.started", "go"));
  EXPECT_TRUE(events.wait_for([](const Message& m) { return m.data == "go"; }));
  ASSERT_TRUE((*satellite)->publish("edge-2.event.sync.started", "forged"));
  EXPECT_TRUE(errors.wait_for([](const std::string& e) {
    return e.find("Permissions Violation") != std::string::npos &&
           e.find("edge-2.event.sync.started") != std::string::npos;
  })) << ::testing::PrintToString(errors.values());
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
  auto satellite = Connection::connect(options);
  ASSERT_TRUE(satellite) << satellite.error().message();
  ASSERT_TRUE(up(**satellite, states));
  const int before = asked;

  server_->stop();
  server_->start_again();
  ASSERT_TRUE(states.wait_for_value(ConnectionState::kReconnected));
  EXPECT_GT(asked, before);
}

// The same refusal twice in a row makes libnats give up: the connection closes for good
// (kClosed) and the owner must connect again once it has valid credentials.
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
