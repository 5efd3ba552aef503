// AuthService on both engines: the first admin, logins and their back-off, tokens, roles.
#include "groundcontrol/service/auth_service.hpp"

#include <gtest/gtest.h>

#include "store/store_test_support.hpp"
#include "testutil/fake_clock.hpp"

namespace groundcontrol::service {
namespace {

using common::ErrorCode;
using store::test::Backend;
using store::test::StoreTest;

class AuthServiceTest : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    if (HasFatalFailure()) return;
    AuthConfig config;
    config.password_hash = common::crypto::PasswordHashParams::minimum();
    config.token_cache_ttl = std::chrono::seconds(0);  // every check reads the database
    auth_ = std::make_unique<AuthService>(*db_, clock_, config);
  }
  std::string admin_password() {
    auto password = auth_->bootstrap_admin("");
    EXPECT_TRUE(password && *password);
    return password && *password ? **password : "";
  }

  testutil::FakeClock clock_;
  std::unique_ptr<AuthService> auth_;
};

TEST_P(AuthServiceTest, TheFirstStartMakesAdminWithAPasswordShownOnce) {
  const auto password = admin_password();
  EXPECT_GE(password.size(), 20u);
  const auto again = auth_->bootstrap_admin("");
  ASSERT_TRUE(again);
  EXPECT_FALSE(*again);  // admin exists: nothing new to show
  auto login = auth_->login("admin", password, "10.0.0.1");
  ASSERT_TRUE(login) << login.error().message();
  EXPECT_TRUE(login->token.starts_with("gcs_"));
  EXPECT_EQ(login->role, Role::kAdmin);
  auto principal = auth_->authenticate(login->token);
  ASSERT_TRUE(principal);
  EXPECT_EQ(principal->actor, "user:admin");
}

TEST_P(AuthServiceTest, AWrongPasswordAndAnUnknownUserLookAlike) {
  admin_password();
  const auto wrong = auth_->login("admin", "nope", "10.0.0.1");
  const auto unknown = auth_->login("nobody", "nope", "10.0.0.1");
  ASSERT_FALSE(wrong);
  ASSERT_FALSE(unknown);
  EXPECT_EQ(wrong.error().code(), ErrorCode::kUnauthenticated);
  EXPECT_EQ(wrong.error().message(), unknown.error().message());
}

TEST_P(AuthServiceTest, FailuresBackOffPerAddressSoAStrangerCannotLockAdminOut) {
  const auto password = admin_password();
  for (int i = 0; i < LoginThrottle::kFreeFailures; ++i)
    EXPECT_EQ(auth_->login("admin", "guess", "192.0.2.66").error().code(),
              ErrorCode::kUnauthenticated);
  // The stranger now waits, even with the right password...
  EXPECT_EQ(auth_->login("admin", password, "192.0.2.66").error().code(),
            ErrorCode::kTooManyRequests);
  // ...while admin, elsewhere, logs in.
  EXPECT_TRUE(auth_->login("admin", password, "10.0.0.1"));
  clock_.advance(std::chrono::seconds(2));
  EXPECT_TRUE(auth_->login("admin", password, "192.0.2.66"));
}

TEST_P(AuthServiceTest, TokensExpireAndLogoutEndsThem) {
  const auto password = admin_password();
  auto login = auth_->login("admin", password, "10.0.0.1");
  ASSERT_TRUE(login);
  EXPECT_TRUE(auth_->logout(login->token));
  EXPECT_EQ(auth_->authenticate(login->token).error().code(), ErrorCode::kUnauthenticated);
  EXPECT_FALSE(auth_->logout(login->token));

  auto later = auth_->login("admin", password, "10.0.0.1");
  ASSERT_TRUE(later);
  clock_.advance(std::chrono::hours(13));
  EXPECT_EQ(auth_->authenticate(later->token).error().code(), ErrorCode::kUnauthenticated);
  for (const char* bad : {"", "gcs_", "Bearer x", "gcs_AAAA", "xyz_0123"})
    EXPECT_EQ(auth_->authenticate(bad).error().code(), ErrorCode::kUnauthenticated) << bad;
}

TEST_P(AuthServiceTest, ViewersAndTheLastWordOnAdmin) {
  const auto password = admin_password();
  const Principal admin{"user:admin", Role::kAdmin};
  ASSERT_TRUE(auth_->create_user("ops", "pw", Role::kViewer, admin));
  EXPECT_EQ(auth_->create_user("ops", "pw", Role::kViewer, admin).error().code(),
            ErrorCode::kAlreadyExists);
  EXPECT_EQ(auth_->create_user("Bad_Name", "pw", Role::kViewer, admin).error().code(),
            ErrorCode::kInvalidArgument);
  auto viewer = auth_->login("ops", "pw", "10.0.0.2");
  ASSERT_TRUE(viewer);
  EXPECT_EQ(auth_->authenticate(viewer->token)->role, Role::kViewer);
  EXPECT_EQ(auth_->list_users()->size(), 2u);
  EXPECT_FALSE(auth_->delete_user("admin", admin));

  auto session = auth_->login("admin", password, "10.0.0.1");
  ASSERT_TRUE(session);
  auto reset = auth_->reset_admin("");
  ASSERT_TRUE(reset);
  EXPECT_EQ(auth_->authenticate(session->token).error().code(), ErrorCode::kUnauthenticated);
  EXPECT_FALSE(auth_->login("admin", password, "10.0.0.1"));
  EXPECT_TRUE(auth_->login("admin", *reset, "10.0.0.1"));
  ASSERT_TRUE(auth_->delete_user("ops", admin));
  EXPECT_EQ(auth_->authenticate(viewer->token).error().code(), ErrorCode::kUnauthenticated);
}

// Guessing at the current password through a stolen session backs off as failed logins do.
TEST_P(AuthServiceTest, WrongCurrentPasswordsBackOffPerAddress) {
  admin_password();
  const Principal admin{"user:admin", Role::kAdmin};
  ASSERT_TRUE(auth_->create_user("ops", "pw", Role::kViewer, admin));
  const Principal ops{"user:ops", Role::kViewer};
  const auto change = [&](const char* current, const char* address) {
    return auth_->update_user("ops", {.password = "next", .current_password = current}, ops, "",
                              address);
  };
  for (int i = 0; i < LoginThrottle::kFreeFailures; ++i)
    EXPECT_EQ(change("guess", "192.0.2.66").error().code(), ErrorCode::kPermissionDenied);
  EXPECT_EQ(change("pw", "192.0.2.66").error().code(), ErrorCode::kTooManyRequests);
  EXPECT_TRUE(auth_->login("ops", "pw", "10.0.0.2")) << "nothing changed";
  ASSERT_TRUE(change("pw", "10.0.0.2"));
  EXPECT_TRUE(auth_->login("ops", "next", "10.0.0.2"));
  // An admin sets another's password without knowing it, and no back-off applies to it.
  EXPECT_TRUE(auth_->update_user("ops", {.password = "third"}, admin, "", "192.0.2.66"));
  EXPECT_TRUE(auth_->login("ops", "third", "10.0.0.2"));
}

INSTANTIATE_TEST_SUITE_P(Backends, AuthServiceTest, store::test::service_backends(),
                         store::test::backend_name);

}  // namespace
}  // namespace groundcontrol::service
