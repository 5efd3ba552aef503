// GroupCredentialService on both engines: Harbor's access id and secret for one group's
// state file, shown once, stored as a digest, revocable, and gone with the group.
#include "groundcontrol/service/group_credential_service.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "common/crypto/secret_token.hpp"
#include "common/log/logger.hpp"
#include "groundcontrol/model/kind.hpp"
#include "store/store_test_support.hpp"
#include "testutil/fake_clock.hpp"

namespace groundcontrol::service {
namespace {

using common::ErrorCode;
using model::Kind;
using nlohmann::json;
using store::test::StoreTest;

class GroupCredentialServiceTest : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    if (HasFatalFailure()) return;
    sync_.emplace(*db_, view_, common::log::null_logger());
    ASSERT_TRUE(sync_->load());
    resources_.emplace(*db_, clock_, *sync_, [this] { return "uid-" + std::to_string(++uids_); });
    for (const auto* name : {"edge", "berlin"})
      ASSERT_TRUE(resources_->create(Kind::kGroup, json{{"metadata", {{"name", name}}}}, admin_));
    credentials_.emplace(*db_, clock_, GroupCredentialConfig{std::chrono::seconds(30)});
  }
  IssuedGroupCredential issue(const std::string& group) {
    auto issued = credentials_->create(group, admin_);
    EXPECT_TRUE(issued) << issued.error().message();
    return issued ? *issued : IssuedGroupCredential{};
  }

  testutil::FakeClock clock_;
  FleetView view_;
  std::optional<FleetSync> sync_;
  std::optional<ResourceService> resources_;
  std::optional<GroupCredentialService> credentials_;
  int uids_ = 0;
  const Actor admin_{"user:admin"};
};

TEST_P(GroupCredentialServiceTest, APairSendsItsOwnGroupsStateOnly) {
  const auto pair = issue("edge");
  EXPECT_TRUE(pair.secret.starts_with("gchs_"));
  EXPECT_GE(pair.secret.size(), 5u + 43u);  // 256 random bits in base64url
  auto actor = credentials_->authenticate(pair.access_id, pair.secret, "edge");
  ASSERT_TRUE(actor) << actor.error().message();
  EXPECT_EQ(actor->name, "harbor:" + pair.access_id);

  EXPECT_EQ(credentials_->authenticate(pair.access_id, pair.secret, "berlin").error().code(),
            ErrorCode::kPermissionDenied);
  const auto wrong = credentials_->authenticate(pair.access_id, issue("berlin").secret, "edge");
  const auto unknown = credentials_->authenticate("nobody", pair.secret, "edge");
  ASSERT_FALSE(wrong);
  ASSERT_FALSE(unknown);
  EXPECT_EQ(wrong.error().code(), ErrorCode::kUnauthenticated);
  EXPECT_EQ(wrong.error().message(), unknown.error().message());
}

TEST_P(GroupCredentialServiceTest, TheSecretIsStoredAsItsDigestOnlyAndListedNever) {
  const auto pair = issue("edge");
  store::test::in_transaction(*db_, [&](common::sql::Connection& db) -> common::Status {
    auto rows = db.query("SELECT access_id, secret_digest FROM group_credentials");
    if (!rows) return common::fail(rows.error());
    EXPECT_EQ(rows->size(), 1u);
    for (const auto& row : *rows) {
      EXPECT_EQ(row.text(0), pair.access_id);
      EXPECT_EQ(row.text(1), common::crypto::token_digest(pair.secret));
      EXPECT_EQ(row.text(1).find(pair.secret), std::string::npos);
    }
    return {};
  });
  clock_.advance(std::chrono::seconds(1));
  const auto second = issue("edge");
  auto listed = credentials_->list("edge");
  ASSERT_TRUE(listed);
  ASSERT_EQ(listed->size(), 2u);
  EXPECT_EQ((*listed)[0].access_id, pair.access_id);
  EXPECT_EQ((*listed)[1].access_id, second.access_id);
  EXPECT_EQ(credentials_->list("nowhere").error().code(), ErrorCode::kNotFound);
  EXPECT_EQ(credentials_->create("nowhere", admin_).error().code(), ErrorCode::kNotFound);
}

TEST_P(GroupCredentialServiceTest, ADeletedPairOrGroupEndsItsAccess) {
  const auto kept = issue("edge");
  const auto dropped = issue("edge");
  ASSERT_TRUE(credentials_->authenticate(dropped.access_id, dropped.secret, "edge"));  // cached
  ASSERT_TRUE(credentials_->remove("edge", dropped.access_id, admin_));
  EXPECT_EQ(credentials_->authenticate(dropped.access_id, dropped.secret, "edge").error().code(),
            ErrorCode::kUnauthenticated);
  EXPECT_EQ(credentials_->remove("edge", dropped.access_id, admin_).error().code(),
            ErrorCode::kNotFound);
  EXPECT_EQ(credentials_->remove("berlin", kept.access_id, admin_).error().code(),
            ErrorCode::kNotFound);
  EXPECT_TRUE(credentials_->authenticate(kept.access_id, kept.secret, "edge"));

  ASSERT_TRUE(resources_->remove(Kind::kGroup, "edge", 0, admin_));
  // Another replica (no cache) refuses it at once; this one once its cache entry ages out.
  GroupCredentialService other(*db_, clock_);
  EXPECT_EQ(other.authenticate(kept.access_id, kept.secret, "edge").error().code(),
            ErrorCode::kUnauthenticated);
  clock_.advance(std::chrono::seconds(31));
  EXPECT_EQ(credentials_->authenticate(kept.access_id, kept.secret, "edge").error().code(),
            ErrorCode::kUnauthenticated);
  // A group of the same name made again starts with no pairs.
  ASSERT_TRUE(resources_->create(Kind::kGroup, json{{"metadata", {{"name", "edge"}}}}, admin_));
  auto fresh = credentials_->list("edge");
  ASSERT_TRUE(fresh);
  EXPECT_TRUE(fresh->empty());
}

INSTANTIATE_TEST_SUITE_P(Backends, GroupCredentialServiceTest, store::test::service_backends(),
                         store::test::backend_name);

}  // namespace
}  // namespace groundcontrol::service
