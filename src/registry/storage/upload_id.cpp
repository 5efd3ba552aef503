#include "registry/storage/upload_id.hpp"

#include <sys/random.h>

#include <array>
#include <stdexcept>

namespace registry::storage {

UploadId UploadId::generate() {
  std::array<unsigned char, 32> raw{};
  // The kernel CSPRNG (getrandom) needs no library state; failing means the process cannot
  // make secrets at all: exceptional.
  if (::getrandom(raw.data(), raw.size(), 0) != static_cast<ssize_t>(raw.size())) {
    throw std::runtime_error("getrandom failed");
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(raw.size() * 2, '0');
  for (std::size_t i = 0; i < raw.size(); ++i) {
    out[2 * i] = kHex[raw[i] >> 4];
    out[2 * i + 1] = kHex[raw[i] & 0xf];
  }
  return UploadId(std::move(out));
}

common::Result<UploadId> UploadId::parse(std::string_view text) {
  bool valid = text.size() == 64;
  for (char c : text) valid = valid && ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'));
  if (!valid)
    return common::fail(common::ErrorCode::kBlobUploadUnknown, "blob upload unknown to registry");
  return UploadId(std::string(text));
}

}  // namespace registry::storage
