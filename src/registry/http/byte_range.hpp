// Parsing of a single-range HTTP Range header ("bytes=first-last", "bytes=first-",
// "bytes=-suffix") against a blob size, for resumable blob downloads. Pure function.
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

}  // namespace registry::http
