// wait_for_state: a sync command is done when the named state — or one that replaced it
// after it arrived — is applied; it fails with a reason when the window is closed or the
// timeout passes.
#include "satellite/fleet/state_convergence.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace satellite::fleet {
namespace {

// Plays `views` one per poll, then keeps the last.
struct Script {
  std::vector<ConvergenceView> views;
  std::size_t at = 0;
  ConvergenceView operator()() {
    const auto& v = views[std::min(at, views.size() - 1)];
    ++at;
    return v;
  }
};

const ConvergenceTiming kFast{std::chrono::milliseconds(300), std::chrono::milliseconds(1),
                              std::chrono::milliseconds(20)};

common::Status wait(const std::string& target, Script script, int* beats = nullptr) {
  int ignored = 0;
  int* counter = beats != nullptr ? beats : &ignored;
  return wait_for_state(target, std::ref(script), [counter] { ++*counter; }, kFast, {});
}

TEST(StateConvergenceTest, DoneOnceTheNamedStateIsApplied) {
  EXPECT_TRUE(wait("new", {{{"old", "old"}, {"new", "old"}, {"new", "new"}}}));
}

TEST(StateConvergenceTest, DoneWhenANewerStateReplacedItAndIsApplied) {
  EXPECT_TRUE(wait("new", {{{"new", "old"}, {"newer", "old"}, {"newer", "newer"}}}));
}

TEST(StateConvergenceTest, AnotherStateAppliedBeforeTheTargetArrivedIsNotEnough) {
  // "other" was applied, but the satellite never saw "new": it is not done.
  auto done = wait("new", {{{"other", "other"}}});
  ASSERT_FALSE(done);
  EXPECT_EQ(done.error().code(), common::ErrorCode::kTimeout);
  EXPECT_NE(done.error().message().find("state new was not received"), std::string::npos);
}

TEST(StateConvergenceTest, TheReasonNamesFailingArtifactsAndTheFeedsError) {
  ConvergenceView failing{"new", "old", true, 2, ""};
  auto done = wait("new", {{failing}});
  ASSERT_FALSE(done);
  EXPECT_NE(done.error().message().find("2 artifacts failed"), std::string::npos);
  ConvergenceView unreachable{"old", "old", true, 0, "ground control unreachable"};
  done = wait("new", {{unreachable}});
  ASSERT_FALSE(done);
  EXPECT_NE(done.error().message().find("ground control unreachable"), std::string::npos);
}

TEST(StateConvergenceTest, AClosedSyncWindowFailsAtOnce) {
  ConvergenceView closed{"new", "old", false, 0, ""};
  auto done = wait("new", {{closed}});
  ASSERT_FALSE(done);
  EXPECT_NE(done.error().message().find("sync window"), std::string::npos);
}

TEST(StateConvergenceTest, ItSaysItIsStillWorkingWhileItWaits) {
  int beats = 0;
  ASSERT_FALSE(wait("new", {{{"new", "old"}}}, &beats));
  EXPECT_GE(beats, 5);  // every 20 ms of 300
}

TEST(StateConvergenceTest, WithoutANamedStateTheCurrentOneMustBeApplied) {
  EXPECT_TRUE(wait("", {{{"a", ""}, {"a", "a"}}}));
}

}  // namespace
}  // namespace satellite::fleet
