#include "common/nats/user_creds.hpp"

#include <gtest/gtest.h>

#include "common/nats/nats_jwt.hpp"

namespace common::nats {
namespace {

const TimePoint kIssuedAt{std::chrono::seconds(1'700'000'000)};

TEST(UserCreds, HasTheLayoutOfGoFormatUserConfig) {
  const Nkey account = Nkey::generate(NkeyType::kAccount);
  const Nkey user = Nkey::generate(NkeyType::kUser);
  auto jwt = encode_jwt(UserClaims{.subject = user.public_key()}, account, kIssuedAt);
  ASSERT_TRUE(jwt);
  auto creds = format_user_creds(*jwt, user);
  ASSERT_TRUE(creds) << creds.error().message();
  EXPECT_EQ(*creds, "-----BEGIN NATS USER JWT-----\n" + *jwt +
                        "\n------END NATS USER JWT------\n"
                        "\n"
                        "************************* IMPORTANT *************************\n"
                        "NKEY Seed printed below can be used to sign and prove identity.\n"
                        "NKEYs are sensitive and should be treated as secrets.\n"
                        "\n"
                        "-----BEGIN USER NKEY SEED-----\n" +
                        user.seed() +
                        "\n------END USER NKEY SEED------\n"
                        "\n"
                        "*************************************************************\n");
}

TEST(UserCreds, RefusesAnotherUsersKeyANonUserJwtAndGarbage) {
  const Nkey op = Nkey::generate(NkeyType::kOperator);
  const Nkey account = Nkey::generate(NkeyType::kAccount);
  const Nkey user = Nkey::generate(NkeyType::kUser);
  auto jwt = encode_jwt(UserClaims{.subject = user.public_key()}, account, kIssuedAt);
  ASSERT_TRUE(jwt);

  auto other = format_user_creds(*jwt, Nkey::generate(NkeyType::kUser));
  ASSERT_FALSE(other);
  EXPECT_NE(other.error().message().find("not the user"), std::string::npos);

  auto account_jwt = encode_jwt(AccountClaims{.subject = account.public_key()}, op, kIssuedAt);
  ASSERT_TRUE(account_jwt);
  auto not_user = format_user_creds(*account_jwt, user);
  ASSERT_FALSE(not_user);
  EXPECT_NE(not_user.error().message().find("account JWT"), std::string::npos);

  auto garbage = format_user_creds("x.y.z", user);
  ASSERT_FALSE(garbage);
  EXPECT_EQ(garbage.error().code(), ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace common::nats
