// Base64 and hex text encodings of byte strings (libsodium's constant-time codecs, so
// decoding a secret does not leak it through timing). base64url is RFC 4648 §5 without
// padding (tokens, URLs); base64 is §4 with padding (key files, environment values).
// Byte strings are std::string. Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>

#include "common/result.hpp"

namespace common::crypto {

// RFC 4648 §5 alphabet ('-', '_'), no '=' padding.
std::string base64url_encode(std::string_view bytes);
// Inverse of base64url_encode; kInvalidArgument for padding, whitespace, a character
// outside the alphabet or a length no encoding produces.
[[nodiscard]] Result<std::string> base64url_decode(std::string_view text);

// RFC 4648 §4 alphabet ('+', '/'), '=' padded.
std::string base64_encode(std::string_view bytes);
// Inverse of base64_encode, padding optional; kInvalidArgument otherwise (whitespace too).
[[nodiscard]] Result<std::string> base64_decode(std::string_view text);

// Lowercase hex, two digits per byte.
std::string hex_encode(std::string_view bytes);

}  // namespace common::crypto
