#include "common/http/client_response.hpp"

#include <charconv>
#include <string_view>

namespace common::http {
namespace {

// Parses the decimal number at the start of `text`; advances past it.
std::optional<std::uint64_t> take_number(std::string_view& text) {
  std::uint64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end == text.data()) return std::nullopt;
  text.remove_prefix(static_cast<std::size_t>(end - text.data()));
  return value;
}

}  // namespace

std::optional<ContentRange> ClientResponse::content_range() const {
  const auto header = headers.get("Content-Range");
  if (!header) return std::nullopt;
  std::string_view text = *header;
  if (!text.starts_with("bytes ")) return std::nullopt;
  text.remove_prefix(6);
  ContentRange range;
  const auto first = take_number(text);
  if (!first || !text.starts_with('-')) return std::nullopt;
  text.remove_prefix(1);
  const auto last = take_number(text);
  if (!last || *last < *first || !text.starts_with('/')) return std::nullopt;
  text.remove_prefix(1);
  range.first = *first;
  range.last = *last;
  if (text == "*") return range;
  range.total = take_number(text);
  if (!range.total || !text.empty() || *range.total <= *last) return std::nullopt;
  return range;
}

}  // namespace common::http
