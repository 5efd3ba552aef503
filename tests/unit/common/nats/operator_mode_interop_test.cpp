// Interop: keys and JWTs from common_nats_auth run a real nats-server (Debian's 2.9) in
// operator mode, and the libnats C client connects with user JWTs signed by the account's
// signing key. Proves the server accepts our formats, enforces the permissions we write, and
// refuses forged, foreign and expired JWTs. libnats is used through small RAII wrappers local
// to this file (the production wrapper is src/common/nats/connection.*).
#include <nats/nats.h>

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/nats/nats_jwt.hpp"
#include "common/nats/nkey.hpp"
#include "common/nats/user_creds.hpp"
#include "testutil/nats_operator.hpp"
#include "testutil/nats_server_instance.hpp"

namespace common::nats {
namespace {

using namespace std::chrono_literals;

struct OptionsDeleter {
  void operator()(natsOptions* p) const { natsOptions_Destroy(p); }
};
struct ConnectionDeleter {
  void operator()(natsConnection* p) const { natsConnection_Destroy(p); }
};
struct SubscriptionDeleter {
  void operator()(natsSubscription* p) const { natsSubscription_Destroy(p); }
};
struct MsgDeleter {
  void operator()(natsMsg* p) const { natsMsg_Destroy(p); }
};
using OptionsPtr = std::unique_ptr<natsOptions, OptionsDeleter>;
using ConnectionPtr = std::unique_ptr<natsConnection, ConnectionDeleter>;
using SubscriptionPtr = std::unique_ptr<natsSubscription, SubscriptionDeleter>;
using MsgPtr = std::unique_ptr<natsMsg, MsgDeleter>;

// A malloc'd copy: libnats frees what the credential callbacks return.
char* malloc_copy(std::string_view bytes) {
  char* copy = static_cast<char*>(std::malloc(bytes.size() + 1));
  std::memcpy(copy, bytes.data(), bytes.size());
  copy[bytes.size()] = '\0';
  return copy;
}

// What the callbacks hand libnats: the user JWT, and the key that signs the server's nonce.
struct CallbackCredentials {
  std::string jwt;
  const Nkey* key = nullptr;

  static natsStatus on_jwt(char** jwt, char** /*error*/, void* closure) {
    *jwt = malloc_copy(static_cast<CallbackCredentials*>(closure)->jwt);
    return NATS_OK;
  }
  static natsStatus on_sign(char** /*error*/, unsigned char** signature, int* length,
                            const char* nonce, void* closure) {
    const std::string signed_nonce = static_cast<CallbackCredentials*>(closure)->key->sign(nonce);
    *signature = reinterpret_cast<unsigned char*>(malloc_copy(signed_nonce));
    *length = static_cast<int>(signed_nonce.size());
    return NATS_OK;
  }
};

// The asynchronous errors the server reported to one connection (permission violations).
class AsyncErrors {
 public:
  static void on_error(natsConnection* connection, natsSubscription*, natsStatus status,
                       void* closure) {
    auto* self = static_cast<AsyncErrors*>(closure);
    const char* text = nullptr;
    natsConnection_GetLastError(connection, &text);
    std::lock_guard lock(self->mutex_);
    self->errors_.push_back(std::string(natsStatus_GetText(status)) + ": " + (text ? text : ""));
    self->changed_.notify_all();
  }

  // True once an error whose text contains `part` has arrived (waits up to 5 s).
  bool wait_for(std::string_view part) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, 5s, [&] {
      for (const auto& e : errors_) {
        if (e.find(part) != std::string::npos) return true;
      }
      return false;
    });
  }
  std::string all() {
    std::lock_guard lock(mutex_);
    std::string text;
    for (const auto& e : errors_) text += e + "\n";
    return text;
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<std::string> errors_;
};

// A connect attempt: the connection, or the status and the library's error text.
struct Connected {
  ConnectionPtr connection;
  natsStatus status = NATS_OK;
  std::string error;
};

// The next message on `sub` within `timeout_ms`, or null.
MsgPtr next_message(natsSubscription* sub, int64_t timeout_ms) {
  natsMsg* msg = nullptr;
  if (natsSubscription_NextMsg(&msg, sub, timeout_ms) != NATS_OK) return nullptr;
  return MsgPtr(msg);
}

enum class CredentialsFrom { kCallbacks, kCredsFile };

class OperatorModeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = testutil::NatsServerInstance::start(operator_.server_config());
  }

  // A user JWT for `user`, signed by the account's signing key unless `signer` says otherwise.
  std::string user_jwt(const Nkey& user, Permissions permissions, const Nkey* signer = nullptr,
                       std::optional<TimePoint> expires = std::nullopt) {
    auto jwt = operator_.user_jwt(user.public_key(), std::move(permissions), expires, signer);
    EXPECT_TRUE(jwt) << jwt.error().message();
    return jwt.value_or("");
  }

  // One connection attempt, made again when libnats dropped the nonce signature: libnats
  // 3.4.1 (Debian 12) sends no "sig" when the signature's first byte is 0, so 1 in 256
  // connects fails with "Signature missing" (nats.c #705, fixed in 3.8). The server's debug
  // log tells that failure apart from a real refusal; a new nonce makes a new signature.
  Connected connect(const std::string& jwt, const Nkey& key, AsyncErrors* errors = nullptr,
                    CredentialsFrom from = CredentialsFrom::kCallbacks) {
    for (int attempt = 1;; ++attempt) {
      const std::size_t dropped = count_in_log("Signature missing");
      Connected connected = connect_once(jwt, key, errors, from);
      if (connected.status == NATS_OK || attempt == 3 ||
          count_in_log("Signature missing") == dropped) {
        return connected;
      }
    }
  }

  std::size_t count_in_log(std::string_view text) const {
    const std::string log = server_->log();
    std::size_t count = 0;
    for (std::size_t at = log.find(text); at != std::string::npos; at = log.find(text, at + 1)) {
      ++count;
    }
    return count;
  }

  Connected connect_once(const std::string& jwt, const Nkey& key, AsyncErrors* errors,
                         CredentialsFrom from) {
    natsOptions* raw = nullptr;
    if (natsOptions_Create(&raw) != NATS_OK) return {nullptr, NATS_NO_MEMORY, "options"};
    OptionsPtr options(raw);
    natsOptions_SetURL(options.get(), server_->url().c_str());
    natsOptions_SetAllowReconnect(options.get(), false);
    natsOptions_SetTimeout(options.get(), 3000);
    if (errors) natsOptions_SetErrorHandler(options.get(), &AsyncErrors::on_error, errors);
    auto credentials = std::make_unique<CallbackCredentials>(CallbackCredentials{jwt, &key});
    if (from == CredentialsFrom::kCallbacks) {
      natsOptions_SetUserCredentialsCallbacks(options.get(), &CallbackCredentials::on_jwt,
                                              credentials.get(), &CallbackCredentials::on_sign,
                                              credentials.get());
    } else {
      auto creds = format_user_creds(jwt, key);
      EXPECT_TRUE(creds) << creds.error().message();
      const auto path = server_->dir() / ("user-" + std::to_string(++creds_files_) + ".creds");
      std::ofstream(path) << creds.value_or("");
      natsOptions_SetUserCredentialsFromFiles(options.get(), path.c_str(), nullptr);
    }
    natsConnection* connection = nullptr;
    Connected result;
    result.status = natsConnection_Connect(&connection, options.get());
    result.connection.reset(connection);
    if (result.status != NATS_OK) {
      natsStatus ignored;
      const char* text = nats_GetLastError(&ignored);
      result.error = text ? text : "";
    }
    credentials_.push_back(std::move(credentials));  // must outlive the connection
    return result;
  }

  // A connection with every right in the account (the "ground control" side of the tests).
  ConnectionPtr connect_full_rights() {
    auto connected = connect(user_jwt(admin_, {}), admin_);
    EXPECT_EQ(connected.status, NATS_OK) << connected.error << "\n" << server_->log();
    return std::move(connected.connection);
  }

  static SubscriptionPtr subscribe(natsConnection* connection, const char* subject) {
    natsSubscription* sub = nullptr;
    EXPECT_EQ(natsConnection_SubscribeSync(&sub, connection, subject), NATS_OK);
    EXPECT_EQ(natsConnection_FlushTimeout(connection, 2000), NATS_OK);
    return SubscriptionPtr(sub);
  }

  static Permissions satellite_a_permissions() {
    Permissions permissions;
    permissions.pub.allow = {"sat-a.event.>"};
    permissions.sub.allow = {"_INBOX_sat-a.>", "sat-a.command.>"};
    return permissions;
  }

  // Refused at connect, for the reason the server's debug log gives.
  void expect_refused(const Connected& connected, std::string_view reason) {
    EXPECT_NE(connected.status, NATS_OK);
    EXPECT_FALSE(connected.connection);
    EXPECT_NE(connected.error.find("Authorization Violation"), std::string::npos)
        << connected.error;
    EXPECT_GT(count_in_log(reason), 0u) << server_->log();
  }

  testutil::NatsOperator operator_;
  Nkey admin_ = Nkey::generate(NkeyType::kUser);
  Nkey satellite_ = Nkey::generate(NkeyType::kUser);
  std::unique_ptr<testutil::NatsServerInstance> server_;
  std::vector<std::unique_ptr<CallbackCredentials>> credentials_;
  int creds_files_ = 0;
};

void publish_and_expect_delivery(natsConnection* publisher, natsSubscription* sub,
                                 const char* subject) {
  ASSERT_EQ(natsConnection_PublishString(publisher, subject, "hello"), NATS_OK);
  ASSERT_EQ(natsConnection_FlushTimeout(publisher, 2000), NATS_OK);
  auto msg = next_message(sub, 2000);
  ASSERT_TRUE(msg) << "no message on " << subject;
  EXPECT_STREQ(natsMsg_GetSubject(msg.get()), subject);
  EXPECT_EQ(std::string(natsMsg_GetData(msg.get()), natsMsg_GetDataLength(msg.get())), "hello");
}

TEST_F(OperatorModeTest, AllowedPublishArrivesWithCallbackCredentials) {
  auto admin = connect_full_rights();
  ASSERT_TRUE(admin);
  auto events = subscribe(admin.get(), "sat-a.event.>");
  auto satellite = connect(user_jwt(satellite_, satellite_a_permissions()), satellite_);
  ASSERT_EQ(satellite.status, NATS_OK) << satellite.error << "\n" << server_->log();
  publish_and_expect_delivery(satellite.connection.get(), events.get(), "sat-a.event.sync.started");
}

TEST_F(OperatorModeTest, AllowedPublishArrivesWithCredsFile) {
  auto admin = connect_full_rights();
  ASSERT_TRUE(admin);
  auto events = subscribe(admin.get(), "sat-a.event.>");
  auto satellite = connect(user_jwt(satellite_, satellite_a_permissions()), satellite_, nullptr,
                           CredentialsFrom::kCredsFile);
  ASSERT_EQ(satellite.status, NATS_OK) << satellite.error << "\n" << server_->log();
  publish_and_expect_delivery(satellite.connection.get(), events.get(), "sat-a.event.disk.low");
}

TEST_F(OperatorModeTest, SubscribingToAnotherSatellitesCommandsIsAViolation) {
  auto admin = connect_full_rights();
  ASSERT_TRUE(admin);
  AsyncErrors errors;
  auto satellite = connect(user_jwt(satellite_, satellite_a_permissions()), satellite_, &errors);
  ASSERT_EQ(satellite.status, NATS_OK) << satellite.error;
  natsSubscription* raw = nullptr;
  ASSERT_EQ(natsConnection_SubscribeSync(&raw, satellite.connection.get(), "sat-b.command.>"),
            NATS_OK);
  SubscriptionPtr stolen(raw);
  natsConnection_FlushTimeout(satellite.connection.get(), 2000);
  EXPECT_TRUE(errors.wait_for("Permissions Violation for Subscription to \"sat-b.command.>\""))
      << errors.all();
  // Nothing sent to sat-b's commands reaches it.
  ASSERT_EQ(natsConnection_PublishString(admin.get(), "sat-b.command.sync.state", "x"), NATS_OK);
  ASSERT_EQ(natsConnection_FlushTimeout(admin.get(), 2000), NATS_OK);
  EXPECT_FALSE(next_message(stolen.get(), 300));
}

TEST_F(OperatorModeTest, PublishingAnotherSatellitesEventsIsAViolation) {
  auto admin = connect_full_rights();
  ASSERT_TRUE(admin);
  auto events = subscribe(admin.get(), "sat-b.event.>");
  AsyncErrors errors;
  auto satellite = connect(user_jwt(satellite_, satellite_a_permissions()), satellite_, &errors);
  ASSERT_EQ(satellite.status, NATS_OK) << satellite.error;
  ASSERT_EQ(natsConnection_PublishString(satellite.connection.get(), "sat-b.event.x", "forged"),
            NATS_OK);
  natsConnection_FlushTimeout(satellite.connection.get(), 2000);
  EXPECT_TRUE(errors.wait_for("Permissions Violation for Publish to \"sat-b.event.x\""))
      << errors.all();
  EXPECT_FALSE(next_message(events.get(), 300));
}

// The account JWT's JetStream limits switch JetStream on for the account.
TEST_F(OperatorModeTest, AccountHasJetStream) {
  auto admin = connect_full_rights();
  ASSERT_TRUE(admin);
  natsMsg* raw = nullptr;
  ASSERT_EQ(natsConnection_RequestString(&raw, admin.get(), "$JS.API.INFO", "", 2000), NATS_OK)
      << server_->log();
  MsgPtr reply(raw);
  const std::string info(natsMsg_GetData(reply.get()), natsMsg_GetDataLength(reply.get()));
  EXPECT_NE(info.find("account_info_response"), std::string::npos) << info;
  EXPECT_EQ(info.find("\"error\""), std::string::npos) << info;
  EXPECT_NE(info.find("\"max_storage\":-1"), std::string::npos) << info;
}

TEST_F(OperatorModeTest, JwtWithABadSignatureIsRefused) {
  std::string jwt = user_jwt(satellite_, satellite_a_permissions());
  const std::size_t signature_start = jwt.rfind('.') + 1;
  char& c = jwt[signature_start + 10];
  c = c == 'A' ? 'B' : 'A';
  expect_refused(connect(jwt, satellite_), "claim failed V2 signature verification");
}

TEST_F(OperatorModeTest, JwtSignedByAnUnknownKeyIsRefused) {
  const Nkey stranger = Nkey::generate(NkeyType::kAccount);
  // Claims the account, but the signer is not one of its signing keys.
  expect_refused(connect(user_jwt(satellite_, satellite_a_permissions(), &stranger), satellite_),
                 "User JWT issuer is not known");
}

TEST_F(OperatorModeTest, JwtOfAnAccountTheServerDoesNotKnowIsRefused) {
  const Nkey stranger = Nkey::generate(NkeyType::kAccount);
  UserClaims claims{.subject = satellite_.public_key(), .permissions = satellite_a_permissions()};
  auto jwt = encode_jwt(claims, stranger, std::chrono::system_clock::now());
  ASSERT_TRUE(jwt);
  expect_refused(connect(*jwt, satellite_), "Account JWT lookup error");
}

TEST_F(OperatorModeTest, NonceSignedByAnotherKeyIsRefused) {
  const Nkey other = Nkey::generate(NkeyType::kUser);
  expect_refused(connect(user_jwt(satellite_, satellite_a_permissions()), other),
                 "Signature not verified");
}

TEST_F(OperatorModeTest, ExpiredJwtIsRefusedAndAFreshOneAccepted) {
  const auto now = std::chrono::system_clock::now();
  expect_refused(
      connect(user_jwt(satellite_, satellite_a_permissions(), nullptr, now - 10s), satellite_),
      "claim is expired");
  auto fresh =
      connect(user_jwt(satellite_, satellite_a_permissions(), nullptr, now + 1h), satellite_);
  EXPECT_EQ(fresh.status, NATS_OK) << fresh.error << "\n" << server_->log();
}

// A JWT's expiry ends a live connection too: a refreshed JWT takes effect only on a new
// connection (libnats asks the JWT callback again when it reconnects).
TEST_F(OperatorModeTest, ServerClosesALiveConnectionWhenItsJwtExpires) {
  const auto expires = std::chrono::system_clock::now() + 2s;
  auto satellite =
      connect(user_jwt(satellite_, satellite_a_permissions(), nullptr, expires), satellite_);
  ASSERT_EQ(satellite.status, NATS_OK) << satellite.error << "\n" << server_->log();
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  while (!natsConnection_IsClosed(satellite.connection.get()) &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(50ms);
  }
  EXPECT_TRUE(natsConnection_IsClosed(satellite.connection.get()));
  const char* text = nullptr;
  natsConnection_GetLastError(satellite.connection.get(), &text);
  EXPECT_NE(std::string(text ? text : "").find("User Authentication Expired"), std::string::npos)
      << (text ? text : "");
}

}  // namespace
}  // namespace common::nats
