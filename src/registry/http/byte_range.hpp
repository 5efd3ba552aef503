// Parsing of byte ranges from untrusted headers: a single-range HTTP Range header
// ("bytes=first-last", "bytes=first-", "bytes=-suffix") against a blob size, for resumable
// blob downloads, and an upload chunk's Content-Range ("first-last"). Pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "common/result.hpp"

namespace registry::http {

struct ByteRange {
  std::uint64_t first = 0;
  std::uint64_t last = 0;  // inclusive
  std::uint64_t length() const noexcept { return last - first + 1; }
};

// nullopt when `header` is empty (serve the whole blob); kRangeInvalid when the range is
// malformed, multi-part or outside a blob of `size` bytes.
[[nodiscard]] common::Result<std::optional<ByteRange>> parse_byte_range(std::string_view header,
                                                                        std::uint64_t size);

// The byte span a PATCH or PUT chunk claims to carry (distribution-spec chunked upload).
struct ContentRange {
  std::uint64_t first = 0;
  std::uint64_t last = 0;  // inclusive; never UINT64_MAX, so length() cannot wrap to 0
  std::uint64_t length() const noexcept { return last - first + 1; }
};

// Parses "<first>-<last>", optionally prefixed by "bytes ", decimal digits only, with
// first <= last and nothing before or after; kRangeInvalid otherwise (an empty header too).
[[nodiscard]] common::Result<ContentRange> parse_content_range(std::string_view header);

}  // namespace registry::http
