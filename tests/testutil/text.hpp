// Small text helpers for assertions on logs. Pure functions.
#pragma once

#include <cstddef>
#include <string>

namespace testutil {

// How many times `needle` occurs in `text` (overlapping occurrences count).
inline std::size_t count_of(const std::string& text, const std::string& needle) {
  std::size_t count = 0;
  for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) {
    ++count;
  }
  return count;
}

}  // namespace testutil
