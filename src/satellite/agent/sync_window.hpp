// SyncWindow: the daily time of day, in the site's local time, in which the agent may pull
// from upstream (e.g. "01:00-05:00" on a link that is cheap at night). A window may wrap
// midnight ("22:00-02:00"); the empty window means always. Serving is never limited by it,
// and neither are removals: only bytes over the link are. Plain value type.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "common/result.hpp"

namespace satellite::agent {

class SyncWindow {
 public:
  SyncWindow() = default;  // always open
  // Parses "HH:MM-HH:MM" (or "" for always); kInvalidArgument saying what is wrong. A window
  // whose start and end are equal is refused: it would mean either never or always.
  [[nodiscard]] static common::Result<SyncWindow> parse(std::string_view text);

  // True when `minute_of_day` (0..1439, local time) lies in [start, end).
  [[nodiscard]] bool contains(int minute_of_day) const noexcept;
  // The same, of a wall-clock instant read in the process's local time zone.
  [[nodiscard]] bool contains(std::chrono::system_clock::time_point now) const;
  [[nodiscard]] bool always() const noexcept { return always_; }
  [[nodiscard]] std::string to_string() const;

 private:
  bool always_ = true;
  int start_ = 0;  // minutes after local midnight
  int end_ = 0;
};

}  // namespace satellite::agent
