#include "satellite/agent/sync_window.hpp"

#include <fmt/format.h>

#include <charconv>
#include <ctime>

namespace satellite::agent {
namespace {

// "HH:MM" -> minutes after midnight.
common::Result<int> parse_time_of_day(std::string_view text) {
  const auto bad = [&] {
    return common::fail(common::ErrorCode::kInvalidArgument,
                        fmt::format("sync window: \"{}\" is not a time of day HH:MM", text));
  };
  if (text.size() != 5 || text[2] != ':') return bad();
  int hours = 0;
  int minutes = 0;
  if (std::from_chars(text.data(), text.data() + 2, hours).ptr != text.data() + 2) return bad();
  if (std::from_chars(text.data() + 3, text.data() + 5, minutes).ptr != text.data() + 5)
    return bad();
  if (hours > 23 || minutes > 59) return bad();
  return hours * 60 + minutes;
}

}  // namespace

common::Result<SyncWindow> SyncWindow::parse(std::string_view text) {
  SyncWindow window;
  if (text.empty()) return window;
  const auto dash = text.find('-');
  if (dash == std::string_view::npos)
    return common::fail(common::ErrorCode::kInvalidArgument,
                        fmt::format("sync window \"{}\": expected HH:MM-HH:MM", text));
  auto start = parse_time_of_day(text.substr(0, dash));
  if (!start) return common::fail(start.error());
  auto end = parse_time_of_day(text.substr(dash + 1));
  if (!end) return common::fail(end.error());
  if (*start == *end)
    return common::fail(common::ErrorCode::kInvalidArgument,
                        fmt::format("sync window \"{}\": start and end are the same", text));
  window.always_ = false;
  window.start_ = *start;
  window.end_ = *end;
  return window;
}

bool SyncWindow::contains(int minute_of_day) const noexcept {
  if (always_) return true;
  if (start_ < end_) return minute_of_day >= start_ && minute_of_day < end_;
  return minute_of_day >= start_ || minute_of_day < end_;  // wraps midnight
}

bool SyncWindow::contains(std::chrono::system_clock::time_point now) const {
  if (always_) return true;
  const std::time_t seconds = std::chrono::system_clock::to_time_t(now);
  std::tm local{};
  localtime_r(&seconds, &local);
  return contains(local.tm_hour * 60 + local.tm_min);
}

std::string SyncWindow::to_string() const {
  if (always_) return "";
  return fmt::format("{:02}:{:02}-{:02}:{:02}", start_ / 60, start_ % 60, end_ / 60, end_ % 60);
}

}  // namespace satellite::agent
