#include "common/nats/detail/nkey_codec.hpp"

#include <array>

namespace common::nats::detail {
namespace {

constexpr std::string_view kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

// Value of a base32 character, or -1.
int base32_value(char c) noexcept {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= '2' && c <= '7') return c - '2' + 26;
  return -1;
}

}  // namespace

std::string base32_encode(std::string_view bytes) {
  std::string text;
  text.reserve((bytes.size() * 8 + 4) / 5);
  std::uint32_t buffer = 0;
  int bits = 0;
  for (const char c : bytes) {
    buffer = (buffer << 8) | static_cast<std::uint8_t>(c);
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      text.push_back(kAlphabet[(buffer >> bits) & 31]);
    }
  }
  if (bits > 0) text.push_back(kAlphabet[(buffer << (5 - bits)) & 31]);
  return text;
}

Result<std::string> base32_decode(std::string_view text) {
  // 1, 3 and 6 characters left over after whole 8-character groups encode no byte count.
  const std::size_t tail = text.size() % 8;
  if (tail == 1 || tail == 3 || tail == 6) {
    return fail(ErrorCode::kInvalidArgument, "invalid base32: impossible length");
  }
  std::string bytes;
  bytes.reserve(text.size() * 5 / 8);
  std::uint32_t buffer = 0;
  int bits = 0;
  for (const char c : text) {
    const int value = base32_value(c);
    if (value < 0) return fail(ErrorCode::kInvalidArgument, "invalid base32 character");
    buffer = (buffer << 5) | static_cast<std::uint32_t>(value);
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      bytes.push_back(static_cast<char>((buffer >> bits) & 0xFF));
    }
  }
  return bytes;
}

std::uint16_t crc16_xmodem(std::string_view bytes) noexcept {
  std::uint16_t crc = 0;
  for (const char c : bytes) {
    crc ^= static_cast<std::uint16_t>(static_cast<std::uint8_t>(c) << 8);
    for (int bit = 0; bit < 8; ++bit) {
      crc = (crc & 0x8000) ? static_cast<std::uint16_t>((crc << 1) ^ 0x1021)
                           : static_cast<std::uint16_t>(crc << 1);
    }
  }
  return crc;
}

std::string encode_checked(std::string_view prefix, std::string_view payload) {
  std::string raw;
  raw.reserve(prefix.size() + payload.size() + 2);
  raw.append(prefix).append(payload);
  const std::uint16_t crc = crc16_xmodem(raw);
  raw.push_back(static_cast<char>(crc & 0xFF));
  raw.push_back(static_cast<char>(crc >> 8));
  return base32_encode(raw);
}

Result<std::string> decode_checked(std::string_view text) {
  auto raw = base32_decode(text);
  if (!raw) return fail(raw.error());
  if (raw->size() < 4) return fail(ErrorCode::kInvalidArgument, "invalid nkey: too short");
  const std::size_t body = raw->size() - 2;
  const auto crc = static_cast<std::uint16_t>(static_cast<std::uint8_t>((*raw)[body]) |
                                              static_cast<std::uint8_t>((*raw)[body + 1]) << 8);
  raw->resize(body);
  if (crc16_xmodem(*raw) != crc) return fail(ErrorCode::kInvalidArgument, "invalid nkey checksum");
  return raw;
}

}  // namespace common::nats::detail
