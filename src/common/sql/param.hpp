// Param: one value bound to a $N placeholder, built implicitly from the literal it holds so
// that a call reads `conn.query(sql, {"name", 5, nullptr, Blob{bytes}})`. Owns its bytes
// (a Param list may be built, stored and reused); values are plain data, safe to copy
// between threads.
//
// Mapping: nullptr (or an empty std::optional) -> NULL; any integer or bool -> a 64-bit
// integer (bool as 0/1; PostgreSQL sees int8); text -> TEXT (PostgreSQL infers the type
// from context, so a text may feed a timestamptz or jsonb column); Blob -> BLOB / bytea.
// Text must not contain NUL bytes (both backends refuse it with kInvalidArgument): bytes
// that may hold NUL go in a Blob.
#pragma once

#include <concepts>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace common::sql {

// Bytes stored as BLOB (SQLite) or bytea (PostgreSQL); never interpreted as text.
struct Blob {
  std::string bytes;
  friend bool operator==(const Blob&, const Blob&) = default;
};

class Param {
 public:
  using Value = std::variant<std::nullptr_t, std::int64_t, std::string, Blob>;

  Param() noexcept : value_(nullptr) {}
  Param(std::nullptr_t) noexcept : value_(nullptr) {}
  // Any integer type but bool and the character types. REQUIRES: the value fits int64
  // (an unsigned value above INT64_MAX wraps).
  template <std::integral T>
  requires(!std::same_as<T, bool> && !std::same_as<T, char> && !std::same_as<T, char8_t>)
      Param(T value)
  noexcept : value_(static_cast<std::int64_t>(value)) {}
  // Exactly bool (no pointer or char decays into it): stored as 0 or 1.
  template <std::same_as<bool> B>
  Param(B value) noexcept : value_(std::int64_t{value ? 1 : 0}) {}
  // REQUIRES: text != nullptr.
  Param(const char* text) : value_(std::string(text)) {}
  Param(std::string text) noexcept : value_(std::move(text)) {}
  Param(std::string_view text) : value_(std::string(text)) {}
  Param(Blob blob) noexcept : value_(std::move(blob)) {}
  // NULL when empty, else the contained value.
  template <class T>
  Param(const std::optional<T>& value) : Param(value ? Param(*value) : Param(nullptr)) {}

  const Value& value() const noexcept { return value_; }
  bool is_null() const noexcept { return std::holds_alternative<std::nullptr_t>(value_); }

 private:
  Value value_;
};

}  // namespace common::sql
