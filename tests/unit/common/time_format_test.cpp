#include "common/time_format.hpp"

#include <gtest/gtest.h>

namespace common {
namespace {

using namespace std::chrono;

TEST(TimeFormatTest, FormatsUtcSeconds) {
  const auto time =
      sys_days(year(2026) / 12 / 1) + hours(23) + minutes(56) + seconds(17) + milliseconds(999);
  EXPECT_EQ(format_rfc3339(time), "2026-12-01T23:56:17Z");
  EXPECT_EQ(format_rfc3339(system_clock::time_point{}), "1970-01-01T00:00:00Z");
}

TEST(TimeFormatTest, ParsesWhatItFormatsAndOffsets) {
  const auto time = sys_days(year(2026) / 12 / 1) + hours(23) + minutes(56) + seconds(17);
  EXPECT_EQ(parse_rfc3339("2026-12-01T23:56:17Z").value(), time);
  EXPECT_EQ(parse_rfc3339("2026-12-02T01:56:17+02:00").value(), time);
  EXPECT_EQ(parse_rfc3339("2026-12-01T22:56:17-01:00").value(), time);
  EXPECT_EQ(parse_rfc3339("2026-12-01T23:56:17.5Z").value(), time + milliseconds(500));
}

TEST(TimeFormatTest, RefusesWhatIsNotRfc3339) {
  for (const char* bad :
       {"", "2026-12-01", "2026-12-01 23:56:17Z", "2026-13-01T00:00:00Z", "2026-02-30T00:00:00Z",
        "2026-12-01T24:00:00Z", "2026-12-01T23:56:17", "2026-12-01T23:56:17.Z",
        "2026-12-01T23:56:17+0200", "x026-12-01T23:56:17Z"})
    EXPECT_FALSE(parse_rfc3339(bad)) << bad;
}

}  // namespace
}  // namespace common
