#include <gtest/gtest.h>

#include "common/config/duration.hpp"
#include "common/config/host_port.hpp"

namespace common::config {
namespace {

TEST(ConfigParsingTest, Durations) {
  EXPECT_EQ(parse_duration("90").value().count(), 90);
  EXPECT_EQ(parse_duration("15m").value().count(), 900);
  EXPECT_EQ(parse_duration("1h").value().count(), 3600);
  EXPECT_EQ(parse_duration("2d").value().count(), 172800);
  EXPECT_EQ(parse_duration("0").value().count(), 0);
  for (const char* bad : {"", "h", "-1", "1x", "1.5h", "99999999999999999999"}) {
    EXPECT_FALSE(parse_duration(bad).has_value()) << bad;
  }
}

TEST(ConfigParsingTest, Sizes) {
  EXPECT_EQ(parse_size("512").value(), 512u);
  EXPECT_EQ(parse_size("64K").value(), 65536u);
  EXPECT_EQ(parse_size("8MiB").value(), 8u << 20);
  EXPECT_EQ(parse_size("1G").value(), 1u << 30);
  for (const char* bad : {"", "M", "8 MiB", "8TB", "-1", "99999999999G"}) {
    EXPECT_FALSE(parse_size(bad).has_value()) << bad;
  }
}

TEST(ConfigParsingTest, HostPort) {
  auto v4 = parse_host_port("127.0.0.1:0").value();
  EXPECT_EQ(v4.host, "127.0.0.1");
  EXPECT_EQ(v4.port, 0);
  auto v6 = parse_host_port("[::1]:5050").value();
  EXPECT_EQ(v6.host, "::1");
  EXPECT_EQ(v6.port, 5050);
  EXPECT_EQ(parse_host_port(":80").value().host, "0.0.0.0");
  for (const char* bad : {"", "localhost", "a:", "a:65536", "a:-1", "a:1x"}) {
    EXPECT_FALSE(parse_host_port(bad).has_value()) << bad;
  }
}

}  // namespace
}  // namespace common::config
