#include "satellite/agent/fallback_state_source.hpp"

#include <gtest/gtest.h>

#include <deque>
#include <vector>

#include "common/log/logger.hpp"

namespace satellite::agent {
namespace {

using common::fleet_wire::SatelliteState;
using Answer = common::Result<std::optional<SatelliteState>>;

// A source that gives the answers it was given, in order, and counts the calls.
class ScriptedSource final : public StateSource {
 public:
  ScriptedSource(std::string name, std::deque<Answer> answers, int& calls)
      : name_(std::move(name)), answers_(std::move(answers)), calls_(calls) {}
  Answer next(const std::string&, std::stop_token) override {
    ++calls_;
    auto answer = std::move(answers_.front());
    answers_.pop_front();
    return answer;
  }
  std::string describe() const override { return name_; }

 private:
  std::string name_;
  std::deque<Answer> answers_;
  int& calls_;
};

SatelliteState state(std::string digest) {
  SatelliteState s;
  s.satellite = "site-1";
  s.state_digest = std::move(digest);
  return s;
}

Answer down() {
  return common::fail(common::ErrorCode::kUnavailable, "connection refused");
}

TEST(FallbackStateSourceTest, AsksTheFallbackOnlyWhileThePrimaryFails) {
  int primary_calls = 0, fallback_calls = 0;
  std::vector<std::string> seen_from_primary;
  FallbackStateSource source(
      std::make_unique<ScriptedSource>(
          "ground control",
          std::deque<Answer>{Answer(std::optional(state("a"))), down(), down(),
                             Answer(std::optional<SatelliteState>())},
          primary_calls),
      std::make_unique<ScriptedSource>(
          "registry",
          std::deque<Answer>{Answer(std::optional(state("b"))),
                             common::fail(common::ErrorCode::kPermissionDenied, "not signed")},
          fallback_calls),
      [&](const SatelliteState& s) { seen_from_primary.push_back(s.state_digest); },
      common::log::null_logger());
  std::stop_source stop;

  auto first = source.next("", stop.get_token());
  ASSERT_TRUE(first && *first);
  EXPECT_EQ((*first)->state_digest, "a");
  EXPECT_EQ(fallback_calls, 0);
  EXPECT_EQ(seen_from_primary, std::vector<std::string>{"a"});

  auto second = source.next("a", stop.get_token());
  ASSERT_TRUE(second && *second);
  EXPECT_EQ((*second)->state_digest, "b");  // from the fallback, not shown as the primary's
  EXPECT_EQ(seen_from_primary.size(), 1u);

  auto third = source.next("b", stop.get_token());
  ASSERT_FALSE(third);
  EXPECT_NE(third.error().message().find("ground control: connection refused"), std::string::npos);
  EXPECT_NE(third.error().message().find("registry: not signed"), std::string::npos);
  EXPECT_EQ(third.error().code(), common::ErrorCode::kPermissionDenied);

  auto fourth = source.next("b", stop.get_token());  // the primary is back: nothing new
  ASSERT_TRUE(fourth);
  EXPECT_FALSE(*fourth);
  EXPECT_EQ(primary_calls, 4);
  EXPECT_EQ(fallback_calls, 2);
}

TEST(FallbackStateSourceTest, ARevokedSatelliteDoesNotFollowTheFallback) {
  int primary_calls = 0, fallback_calls = 0;
  FallbackStateSource source(
      std::make_unique<ScriptedSource>(
          "ground control",
          std::deque<Answer>{common::fail(common::ErrorCode::kPermissionDenied, "revoked")},
          primary_calls),
      std::make_unique<ScriptedSource>(
          "registry", std::deque<Answer>{Answer(std::optional(state("b")))}, fallback_calls),
      [](const SatelliteState&) {}, common::log::null_logger());
  std::stop_source stop;
  auto answer = source.next("a", stop.get_token());
  ASSERT_FALSE(answer);
  EXPECT_EQ(answer.error().message(), "revoked");
  EXPECT_EQ(fallback_calls, 0);
}

}  // namespace
}  // namespace satellite::agent
