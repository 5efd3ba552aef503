// NatsAuthority and StateChangeCommands on both engines: the operator keys are made once
// and shared by every replica; a satellite's JWT allows its own subjects only; a sync
// command goes to a NATS satellite once per change of its desired state.
#include "groundcontrol/service/nats_authority.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "common/fleet_wire/nats_subjects.hpp"
#include "common/log/logger.hpp"
#include "common/nats/nats_jwt.hpp"
#include "groundcontrol/model/kind.hpp"
#include "groundcontrol/service/command_service.hpp"
#include "groundcontrol/service/nats_credential_service.hpp"
#include "groundcontrol/service/state_change_commands.hpp"
#include "store/store_test_support.hpp"
#include "testutil/fake_clock.hpp"

namespace groundcontrol::service {
namespace {

using common::nats::Nkey;
using common::nats::NkeyType;
using model::Kind;
using nlohmann::json;
using store::test::StoreTest;

class NatsAuthorityTest : public StoreTest {
 protected:
  NatsAuthority load(common::sql::Database& db) {
    auto authority = NatsAuthority::load_or_create(db, box_, clock_);
    EXPECT_TRUE(authority) << authority.error().message();
    return std::move(*authority);
  }
  testutil::FakeClock clock_;
  const common::crypto::SecretBox box_{common::crypto::MasterKey::generate()};
};

TEST_P(NatsAuthorityTest, TheKeysAreMadeOnceAndEveryReplicaReadsTheSame) {
  const auto first = load(*db_);
  auto other_db = open_again();
  const auto second = load(*other_db);
  EXPECT_EQ(first.account_public_key(), second.account_public_key());
  EXPECT_TRUE(first.account_public_key().starts_with("A"));
  // The server block names the same account.
  auto config = second.server_config();
  ASSERT_TRUE(config) << config.error().message();
  EXPECT_NE(config->find(first.account_public_key()), std::string::npos);
  EXPECT_NE(config->find("resolver: MEMORY"), std::string::npos);
}

TEST_P(NatsAuthorityTest, ASatellitesJwtAllowsItsOwnSubjectsOnlyAndExpires) {
  const auto authority = load(*db_);
  const auto user = Nkey::generate(NkeyType::kUser);
  auto grant = authority.satellite_user("sat-a", user.public_key(), std::chrono::hours(24));
  ASSERT_TRUE(grant) << grant.error().message();
  auto verified = common::nats::decode_and_verify(grant->jwt);
  ASSERT_TRUE(verified) << verified.error().message();
  EXPECT_EQ(verified->type, "user");
  EXPECT_EQ(verified->subject, user.public_key());
  EXPECT_EQ(verified->claims["nats"]["issuer_account"], authority.account_public_key());
  const auto allowed = common::fleet_wire::nats_subjects::satellite_permissions("sat-a");
  EXPECT_EQ(verified->claims["nats"]["pub"]["allow"], json(allowed.publish));
  EXPECT_EQ(verified->claims["nats"]["sub"]["allow"], json(allowed.subscribe));
  ASSERT_TRUE(verified->expires);
  EXPECT_FALSE(verified->expired_at(clock_.now() + std::chrono::hours(23)));
  EXPECT_TRUE(verified->expired_at(clock_.now() + std::chrono::hours(25)));
}

TEST_P(NatsAuthorityTest, OnlyAUserPublicKeyGetsAJwt) {
  const auto authority = load(*db_);
  for (const auto& bad : {Nkey::generate(NkeyType::kAccount).public_key(),
                          Nkey::generate(NkeyType::kUser).seed(), std::string("U-not-a-key")}) {
    auto grant = authority.satellite_user("sat-a", bad, std::chrono::hours(1));
    ASSERT_FALSE(grant) << bad;
    EXPECT_EQ(grant.error().code(), common::ErrorCode::kInvalidArgument);
  }
}

class StateChangeCommandsTest : public NatsAuthorityTest {
 protected:
  void SetUp() override {
    NatsAuthorityTest::SetUp();
    if (HasFatalFailure()) return;
    sync_.emplace(*db_, view_, common::log::null_logger());
    ASSERT_TRUE(sync_->load());
    resources_.emplace(*db_, clock_, *sync_, [this] { return "uid-" + std::to_string(++uids_); });
    ASSERT_TRUE(resources_->ensure_default_config());
    for (const auto* name : {"sat-nats", "sat-poll"})
      ASSERT_TRUE(
          resources_->create(Kind::kSatellite, json{{"metadata", {{"name", name}}}}, admin_));
    commands_.emplace(*db_, clock_, [this] { return "u" + std::to_string(++uids_) + "xxxxxxx"; });
    authority_.emplace(load(*db_));
    credentials_.emplace(
        *db_, clock_, view_, *authority_,
        [this](std::string_view s) {
          prepared_.emplace_back(s);
          return common::Status{};
        },
        NatsCredentialConfig{{"nats://127.0.0.1:4222"}, std::chrono::hours(1)});
    changes_.emplace(*db_, view_, *commands_);
  }
  std::size_t issued_now() {
    auto round = changes_->run();
    EXPECT_TRUE(round) << round.error().message();
    return round ? round->issued : 99;
  }
  std::size_t sync_commands(const std::string& satellite) {
    std::size_t n = 0;
    const auto listed = commands_->list(satellite);  // kept: a range-for over *temporary dangles
    EXPECT_TRUE(listed);
    for (const auto& c : *listed) n += c.type == common::fleet_wire::CommandType::kSyncState;
    return n;
  }

  FleetView view_;
  std::optional<FleetSync> sync_;
  std::optional<ResourceService> resources_;
  std::optional<CommandService> commands_;
  std::optional<NatsAuthority> authority_;
  std::optional<NatsCredentialService> credentials_;
  std::optional<StateChangeCommands> changes_;
  std::vector<std::string> prepared_;
  int uids_ = 0;
  const Actor admin_{"user:admin"};
};

TEST_P(StateChangeCommandsTest, ASatelliteOnNatsGetsOneSyncCommandPerChange) {
  auto issued = credentials_->issue("sat-nats", Nkey::generate(NkeyType::kUser).public_key());
  ASSERT_TRUE(issued) << issued.error().message();
  EXPECT_EQ(issued->consumer, "sat-sat-nats");
  EXPECT_EQ(issued->inbox_prefix, "_INBOX_sat-nats");
  EXPECT_EQ(prepared_, std::vector<std::string>{"sat-nats"});
  // The state it has when it joins NATS it reads anyway: no sync for it (a fleet that turns
  // NATS on gets no burst of one command per satellite).
  EXPECT_EQ(issued_now(), 0u);

  const auto group = [](char digit) {
    return json{
        {"metadata", {{"name", "edge"}}},
        {"spec",
         {{"satellites", {"sat-nats", "sat-poll"}},
          {"artifacts",
           {{{"repository", "library/nginx"}, {"digest", "sha256:" + std::string(64, digit)}}}}}}};
  };
  ASSERT_TRUE(resources_->create(Kind::kGroup, group('a'), admin_));
  ASSERT_TRUE(sync_->catch_up());
  ASSERT_EQ(issued_now(), 1u);  // the change
  EXPECT_EQ(issued_now(), 0u);  // unchanged since: nothing more
  const auto first = (*commands_->list("sat-nats"))[0];
  EXPECT_EQ(first.state_digest, view_.state_of("sat-nats")->state_digest);
  ASSERT_EQ(commands_->mark_sent(first.id, 5), true);  // JetStream holds it

  ASSERT_TRUE(resources_->replace(Kind::kGroup, "edge", group('b'), admin_));
  ASSERT_TRUE(sync_->catch_up());
  auto round = changes_->run();
  ASSERT_TRUE(round) << round.error().message();
  EXPECT_EQ(round->issued, 1u);
  ASSERT_EQ(round->superseded.size(), 1u);  // Sent: its message is to be deleted
  EXPECT_EQ(round->superseded[0].id, first.id);
  EXPECT_EQ(round->superseded[0].stream_sequence, 5);
  EXPECT_EQ(sync_commands("sat-nats"), 2u);
  EXPECT_EQ((*commands_->list("sat-nats"))[0].state_digest,
            view_.state_of("sat-nats")->state_digest);
  EXPECT_NE(first.state_digest, view_.state_of("sat-nats")->state_digest);
  // The first sync, never answered, can no longer be reached: superseded by the new one.
  const auto listed = commands_->list("sat-nats");
  ASSERT_TRUE(listed);
  ASSERT_EQ(listed->size(), 2u);
  EXPECT_EQ((*listed)[0].phase, model::CommandPhase::kPending);
  EXPECT_EQ((*listed)[1].phase, model::CommandPhase::kExpired);
  EXPECT_NE((*listed)[1].reason.find("superseded by command " + (*listed)[0].id),
            std::string::npos);
  // The satellite that only polls gets none.
  EXPECT_EQ(sync_commands("sat-poll"), 0u);
  // Credentials asked again (a refresh) do not resend the current state.
  ASSERT_TRUE(credentials_->issue("sat-nats", Nkey::generate(NkeyType::kUser).public_key()));
  EXPECT_EQ(issued_now(), 0u);
}

TEST_P(StateChangeCommandsTest, ADeletedSatelliteLeavesTheNatsList) {
  ASSERT_TRUE(credentials_->issue("sat-nats", Nkey::generate(NkeyType::kUser).public_key()));
  ASSERT_TRUE(resources_->remove(Kind::kSatellite, "sat-nats", 0, admin_));
  ASSERT_TRUE(sync_->catch_up());
  EXPECT_EQ(issued_now(), 0u);
}

INSTANTIATE_TEST_SUITE_P(Backends, NatsAuthorityTest, store::test::service_backends(),
                         store::test::backend_name);
INSTANTIATE_TEST_SUITE_P(Backends, StateChangeCommandsTest, store::test::service_backends(),
                         store::test::backend_name);

}  // namespace
}  // namespace groundcontrol::service
