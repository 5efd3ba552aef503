#include "satellite/agent/sync_window.hpp"

#include <gtest/gtest.h>

namespace satellite::agent {
namespace {

TEST(SyncWindowTest, EmptyIsAlwaysOpen) {
  const auto window = SyncWindow::parse("").value();
  EXPECT_TRUE(window.always());
  EXPECT_TRUE(window.contains(0));
  EXPECT_TRUE(window.contains(1439));
}

TEST(SyncWindowTest, ANightWindowOpensAtItsStartAndClosesAtItsEnd) {
  const auto window = SyncWindow::parse("01:00-05:00").value();
  EXPECT_FALSE(window.contains(59));
  EXPECT_TRUE(window.contains(60));
  EXPECT_TRUE(window.contains(299));
  EXPECT_FALSE(window.contains(300));
  EXPECT_EQ(window.to_string(), "01:00-05:00");
}

TEST(SyncWindowTest, AWindowMayWrapMidnight) {
  const auto window = SyncWindow::parse("22:30-02:00").value();
  EXPECT_TRUE(window.contains(22 * 60 + 30));
  EXPECT_TRUE(window.contains(0));
  EXPECT_TRUE(window.contains(119));
  EXPECT_FALSE(window.contains(120));
  EXPECT_FALSE(window.contains(12 * 60));
}

TEST(SyncWindowTest, MalformedWindowsSayWhatIsWrong) {
  for (const auto* text : {"1:00-05:00", "01:00", "24:00-01:00", "01:60-02:00", "01:00-01:00",
                           "aa:bb-cc:dd", "01:00-05:00x"}) {
    const auto window = SyncWindow::parse(text);
    ASSERT_FALSE(window.has_value()) << text;
    EXPECT_EQ(window.error().code(), common::ErrorCode::kInvalidArgument);
    EXPECT_NE(window.error().message().find("sync window"), std::string::npos) << text;
  }
}

}  // namespace
}  // namespace satellite::agent
