// SessionTicketKeys: deterministic per secret and label, rotating by period, opening the
// previous, current and next period's tickets and nothing older.
#include "common/http/session_ticket_keys.hpp"

#include <gtest/gtest.h>

#include <string>

namespace common::http {
namespace {

using std::chrono::system_clock;
constexpr auto kPeriod = SessionTicketKeys::kPeriod;

SessionTicketKeys keys(std::string secret, std::string_view label) {
  secret.resize(32, '.');
  return SessionTicketKeys::derive(
      std::span(reinterpret_cast<const unsigned char*>(secret.data()), secret.size()), label);
}

// The start of some period, and a time in its middle.
const system_clock::time_point kStart(std::chrono::hours(6 * 82'871));
const system_clock::time_point kMiddle = kStart + kPeriod / 2;

bool same(const SessionTicketKeys::Key& a, const SessionTicketKeys::Key& b) {
  return a.name == b.name && a.cipher == b.cipher && a.mac == b.mac;
}

TEST(SessionTicketKeysTest, OneSecretAndLabelGiveTheSameKeysEverywhere) {
  EXPECT_TRUE(
      same(keys("s", "satellite").sealing(kMiddle), keys("s", "satellite").sealing(kMiddle)));
  EXPECT_FALSE(
      same(keys("s", "satellite").sealing(kMiddle), keys("t", "satellite").sealing(kMiddle)));
  EXPECT_FALSE(
      same(keys("s", "satellite").sealing(kMiddle), keys("s", "management").sealing(kMiddle)));
}

TEST(SessionTicketKeysTest, TheKeyStaysForAPeriodThenChanges) {
  const auto ring = keys("s", "l");
  const auto key = ring.sealing(kStart);
  EXPECT_TRUE(same(key, ring.sealing(kStart + kPeriod - std::chrono::seconds(1))));
  const auto next = ring.sealing(kStart + kPeriod);
  EXPECT_NE(key.name, next.name);
  EXPECT_NE(key.cipher, next.cipher);
  EXPECT_NE(key.mac, next.mac);
  EXPECT_NE(key.cipher, key.mac);
}

TEST(SessionTicketKeysTest, OpensThePreviousCurrentAndNextPeriodOnly) {
  const auto ring = keys("s", "l");
  const auto name = ring.sealing(kMiddle).name;
  const auto current = ring.opening(name, kMiddle);
  ASSERT_TRUE(current);
  EXPECT_FALSE(current->renew);
  EXPECT_TRUE(same(current->key, ring.sealing(kMiddle)));

  const auto later = ring.opening(name, kMiddle + kPeriod);  // sealed one period ago
  ASSERT_TRUE(later);
  EXPECT_TRUE(later->renew);
  const auto earlier = ring.opening(name, kMiddle - kPeriod);  // a replica whose clock lags
  ASSERT_TRUE(earlier);
  EXPECT_TRUE(earlier->renew);

  EXPECT_FALSE(ring.opening(name, kMiddle + 2 * kPeriod));
  EXPECT_FALSE(ring.opening(name, kMiddle - 2 * kPeriod));
  EXPECT_FALSE(keys("t", "l").opening(name, kMiddle));
}

TEST(SessionTicketKeysTest, TimesBeforeTheEpochStillRotate) {
  const auto ring = keys("s", "l");
  const system_clock::time_point before(-std::chrono::hours(1));
  const system_clock::time_point after(std::chrono::hours(1));
  EXPECT_FALSE(same(ring.sealing(before), ring.sealing(after)));
  EXPECT_TRUE(ring.opening(ring.sealing(before).name, after));
}

TEST(SessionTicketKeysTest, TicketsLiveShorterThanAPeriod) {
  EXPECT_LT(SessionTicketKeys::kTicketLifetime, SessionTicketKeys::kPeriod);
}

}  // namespace
}  // namespace common::http
