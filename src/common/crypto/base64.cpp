#include "common/crypto/base64.hpp"

#include "common/crypto/detail/sodium.hpp"

namespace common::crypto {
namespace {

std::string encode(std::string_view bytes, int variant) {
  std::string text(sodium_base64_ENCODED_LEN(bytes.size(), variant), '\0');
  sodium_bin2base64(text.data(), text.size(), reinterpret_cast<const unsigned char*>(bytes.data()),
                    bytes.size(), variant);
  text.resize(text.size() - 1);  // the terminating NUL libsodium writes
  return text;
}

Result<std::string> decode(std::string_view text, int variant, std::string_view name) {
  std::string bytes(text.size() / 4 * 3 + 3, '\0');
  std::size_t size = 0;
  const char* end = nullptr;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(bytes.data()), bytes.size(), text.data(),
                        text.size(), nullptr, &size, &end, variant) != 0 ||
      end != text.data() + text.size()) {
    return fail(ErrorCode::kInvalidArgument, "not valid " + std::string(name));
  }
  bytes.resize(size);
  return bytes;
}

}  // namespace

std::string base64url_encode(std::string_view bytes) {
  return encode(bytes, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

Result<std::string> base64url_decode(std::string_view text) {
  return decode(text, sodium_base64_VARIANT_URLSAFE_NO_PADDING, "unpadded base64url");
}

std::string base64_encode(std::string_view bytes) {
  return encode(bytes, sodium_base64_VARIANT_ORIGINAL);
}

Result<std::string> base64_decode(std::string_view text) {
  if (text.ends_with('=')) return decode(text, sodium_base64_VARIANT_ORIGINAL, "base64");
  return decode(text, sodium_base64_VARIANT_ORIGINAL_NO_PADDING, "base64");
}

std::string hex_encode(std::string_view bytes) {
  std::string hex(bytes.size() * 2 + 1, '\0');
  sodium_bin2hex(hex.data(), hex.size(), reinterpret_cast<const unsigned char*>(bytes.data()),
                 bytes.size());
  hex.resize(bytes.size() * 2);
  return hex;
}

}  // namespace common::crypto
