// Fuzz target: registry::http::parse_byte_range and parse_content_range. The first byte
// picks the blob size (0-250 as is; above that the next 8 bytes, little-endian, so sizes near
// 2^64 are reached too), the rest is the header, fed to both parsers. Properties: an accepted
// Range lies inside the blob, and an accepted Content-Range is exactly "[bytes ]digits-digits"
// with first <= last and a length that does not wrap.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_check.hpp"
#include "registry/http/byte_range.hpp"

namespace {

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// "[bytes ]<digits>-<digits>", read naively.
bool naive_content_range_form(std::string_view header) {
  if (header.starts_with("bytes ")) header.remove_prefix(6);
  const auto dash = header.find('-');
  if (dash == std::string_view::npos || dash == 0 || dash + 1 == header.size()) return false;
  for (std::size_t i = 0; i < header.size(); ++i) {
    if (i != dash && !is_digit(header[i])) return false;
  }
  return true;
}

void check_range(std::string_view header, std::uint64_t size) {
  const auto range = registry::http::parse_byte_range(header, size);
  if (!range) {
    FUZZ_CHECK(range.error().code() == common::ErrorCode::kRangeInvalid);
    return;
  }
  if (header.empty()) FUZZ_CHECK(!range->has_value());
  if (!range->has_value()) return;
  const auto& r = **range;
  FUZZ_CHECK(r.first <= r.last && r.last < size);
  FUZZ_CHECK(r.length() >= 1 && r.length() <= size);
}

void check_content_range(std::string_view header) {
  const auto range = registry::http::parse_content_range(header);
  if (!range) {
    FUZZ_CHECK(range.error().code() == common::ErrorCode::kRangeInvalid);
    return;
  }
  FUZZ_CHECK(naive_content_range_form(header));
  FUZZ_CHECK(range->first <= range->last);
  FUZZ_CHECK(range->length() >= 1);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  std::uint64_t blob_size = data[0];
  std::size_t used = 1;
  if (blob_size > 250 && size >= 9) {
    blob_size = 0;
    for (std::size_t i = 0; i < 8; ++i) blob_size |= std::uint64_t{data[1 + i]} << (8 * i);
    used = 9;
  }
  const std::string_view header(reinterpret_cast<const char*>(data + used), size - used);
  check_range(header, blob_size);
  check_content_range(header);
  return 0;
}
