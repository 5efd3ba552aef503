#include "common/time_format.hpp"

#include <fmt/format.h>

#include <cctype>
#include <charconv>

namespace common {
namespace {

using namespace std::chrono;

// Reads exactly `digits` decimal digits at `at`.
bool number(std::string_view text, std::size_t at, std::size_t digits, int& out) {
  if (at + digits > text.size()) return false;
  const auto* begin = text.data() + at;
  const auto [end, ec] = std::from_chars(begin, begin + digits, out);
  return ec == std::errc() && end == begin + digits;
}

}  // namespace

std::string format_rfc3339(system_clock::time_point time) {
  const auto seconds = floor<std::chrono::seconds>(time);
  const auto day = floor<days>(seconds);
  const year_month_day date(day);
  const hh_mm_ss clock(seconds - day);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", static_cast<int>(date.year()),
                     static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()),
                     clock.hours().count(), clock.minutes().count(), clock.seconds().count());
}

Result<system_clock::time_point> parse_rfc3339(std::string_view text) {
  const auto bad = [&] {
    return fail(ErrorCode::kInvalidArgument,
                fmt::format("\"{}\" is not an RFC 3339 time", text.substr(0, 40)));
  };
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
  if (text.size() < 20 || text[4] != '-' || text[7] != '-' ||
      (text[10] != 'T' && text[10] != 't') || text[13] != ':' || text[16] != ':' ||
      !number(text, 0, 4, y) || !number(text, 5, 2, mo) || !number(text, 8, 2, d) ||
      !number(text, 11, 2, h) || !number(text, 14, 2, mi) || !number(text, 17, 2, s))
    return bad();
  std::size_t at = 19;
  nanoseconds fraction{0};
  if (text[at] == '.') {
    std::size_t digits = 0;
    for (++at; at < text.size() && std::isdigit(static_cast<unsigned char>(text[at]));
         ++at, ++digits)
      if (digits < 9) fraction = fraction * 10 + nanoseconds(text[at] - '0');
    if (digits == 0) return bad();
    for (auto i = digits; i < 9; ++i) fraction *= 10;
  }
  minutes offset{0};
  if (at < text.size() && (text[at] == 'Z' || text[at] == 'z')) {
    ++at;
  } else if (at + 6 == text.size() && (text[at] == '+' || text[at] == '-') && text[at + 3] == ':') {
    int oh = 0, om = 0;
    if (!number(text, at + 1, 2, oh) || !number(text, at + 4, 2, om) || oh > 23 || om > 59)
      return bad();
    offset = hours(oh) + minutes(om);
    if (text[at] == '-') offset = -offset;
    at += 6;
  } else {
    return bad();
  }
  const year_month_day date{year(y), month(static_cast<unsigned>(mo)),
                            day(static_cast<unsigned>(d))};
  if (at != text.size() || !date.ok() || h > 23 || mi > 59 || s > 60) return bad();
  const auto time = sys_days(date) + hours(h) + minutes(mi) + seconds(s) + fraction - offset;
  return time_point_cast<system_clock::duration>(time);
}

}  // namespace common
