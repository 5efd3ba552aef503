// The nkey text format (nats-io/nkeys strkey.go): RFC 4648 base32 without padding of
// `prefix bytes ‖ payload ‖ CRC-16/XMODEM of both, little-endian`. A public key has one
// prefix byte (the key type's, e.g. 14<<3 → 'O'); a seed has two, the seed prefix (18<<3 →
// 'S') with the key type's byte spread over its low bits and the next byte, so that it reads
// "SO…", "SA…", "SU…". Internal to common::nats. Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/result.hpp"

namespace common::nats::detail {

// The prefix byte of each kind of key (strkey.go's PrefixByte values).
inline constexpr std::uint8_t kPrefixSeed = 18 << 3;
inline constexpr std::uint8_t kPrefixOperator = 14 << 3;
inline constexpr std::uint8_t kPrefixAccount = 0;
inline constexpr std::uint8_t kPrefixUser = 20 << 3;
inline constexpr std::uint8_t kPrefixServer = 13 << 3;

// RFC 4648 §6 alphabet (A-Z, 2-7), no '=' padding.
std::string base32_encode(std::string_view bytes);
// Inverse of base32_encode; kInvalidArgument for a character outside the alphabet (padding
// and lowercase included) or a length no encoding produces.
[[nodiscard]] Result<std::string> base32_decode(std::string_view text);

// CRC-16/XMODEM (polynomial 0x1021, initial value 0, not reflected).
std::uint16_t crc16_xmodem(std::string_view bytes) noexcept;

// base32(prefix ‖ payload ‖ crc16 little-endian). `prefix` is one or two bytes.
std::string encode_checked(std::string_view prefix, std::string_view payload);
// The bytes before the checksum (prefix and payload). kInvalidArgument for bad base32, too
// short a text or a checksum that does not match (each with its own message).
[[nodiscard]] Result<std::string> decode_checked(std::string_view text);

}  // namespace common::nats::detail
