#include "registry/http/byte_range.hpp"

#include <charconv>
#include <limits>

namespace registry::http {

using common::ErrorCode;
using common::fail;

namespace {

std::optional<std::uint64_t> parse_number(std::string_view text) {
  if (text.empty()) return std::nullopt;
  std::uint64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

}  // namespace

common::Result<std::optional<ByteRange>> parse_byte_range(std::string_view header,
                                                          std::uint64_t size) {
  if (header.empty()) return std::optional<ByteRange>();
  auto invalid = [] { return fail(ErrorCode::kRangeInvalid, "requested range not satisfiable"); };
  if (!header.starts_with("bytes=")) return invalid();
  header.remove_prefix(6);
  if (header.find(',') != std::string_view::npos) return invalid();
  const auto dash = header.find('-');
  if (dash == std::string_view::npos) return invalid();
  const auto first_text = header.substr(0, dash);
  const auto last_text = header.substr(dash + 1);
  if (first_text.empty()) {  // suffix: the final N bytes
    const auto suffix = parse_number(last_text);
    if (!suffix || *suffix == 0 || size == 0) return invalid();
    const auto length = std::min(*suffix, size);
    return std::optional<ByteRange>(ByteRange{size - length, size - 1});
  }
  const auto first = parse_number(first_text);
  if (!first || *first >= size) return invalid();
  std::uint64_t last = size - 1;
  if (!last_text.empty()) {
    const auto parsed = parse_number(last_text);
    if (!parsed || *parsed < *first) return invalid();
    last = std::min(*parsed, size - 1);
  }
  return std::optional<ByteRange>(ByteRange{*first, last});
}

common::Result<ContentRange> parse_content_range(std::string_view header) {
  auto invalid = [] { return fail(ErrorCode::kRangeInvalid, "malformed Content-Range"); };
  if (header.starts_with("bytes ")) header.remove_prefix(6);
  const auto dash = header.find('-');
  if (dash == std::string_view::npos) return invalid();
  const auto first = parse_number(header.substr(0, dash));
  const auto last = parse_number(header.substr(dash + 1));
  // A last byte at 2^64-1 would make the length 2^64, which no size can hold.
  if (!first || !last || *first > *last || *last == std::numeric_limits<std::uint64_t>::max())
    return invalid();
  return ContentRange{*first, *last};
}

}  // namespace registry::http
