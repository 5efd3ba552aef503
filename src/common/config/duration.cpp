#include "common/config/duration.hpp"

#include <charconv>
#include <limits>
#include <string>

namespace common::config {
namespace {

struct NumberAndUnit {
  std::uint64_t number;
  std::string_view unit;
};

Result<NumberAndUnit> split(std::string_view text, std::string_view what) {
  std::uint64_t number = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), number);
  if (ec != std::errc() || end == text.data()) {
    return fail(ErrorCode::kInvalidArgument, "invalid " + std::string(what), std::string(text));
  }
  return NumberAndUnit{number, text.substr(static_cast<std::size_t>(end - text.data()))};
}

Result<std::uint64_t> scale(std::uint64_t number, std::uint64_t factor, std::string_view text) {
  if (factor != 0 && number > std::numeric_limits<std::uint64_t>::max() / factor) {
    return fail(ErrorCode::kInvalidArgument, "value too large", std::string(text));
  }
  return number * factor;
}

}  // namespace

Result<std::chrono::seconds> parse_duration(std::string_view text) {
  auto parts = split(text, "duration");
  if (!parts) return fail(parts.error());
  std::uint64_t factor = 0;
  if (parts->unit.empty() || parts->unit == "s")
    factor = 1;
  else if (parts->unit == "m")
    factor = 60;
  else if (parts->unit == "h")
    factor = 3600;
  else if (parts->unit == "d")
    factor = 86400;
  else
    return fail(ErrorCode::kInvalidArgument, "invalid duration unit (use s, m, h or d)",
                std::string(text));
  auto seconds = scale(parts->number, factor, text);
  if (!seconds) return fail(seconds.error());
  if (*seconds > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max() / 1000)) {
    return fail(ErrorCode::kInvalidArgument, "duration too large", std::string(text));
  }
  return std::chrono::seconds(static_cast<std::int64_t>(*seconds));
}

Result<std::uint64_t> parse_size(std::string_view text) {
  auto parts = split(text, "size");
  if (!parts) return fail(parts.error());
  std::uint64_t factor = 0;
  const auto unit = parts->unit;
  if (unit.empty() || unit == "B")
    factor = 1;
  else if (unit == "K" || unit == "KiB")
    factor = 1ull << 10;
  else if (unit == "M" || unit == "MiB")
    factor = 1ull << 20;
  else if (unit == "G" || unit == "GiB")
    factor = 1ull << 30;
  else
    return fail(ErrorCode::kInvalidArgument, "invalid size unit (use K, M or G)",
                std::string(text));
  return scale(parts->number, factor, text);
}

}  // namespace common::config
