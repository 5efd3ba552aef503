// MethodSet: a set of HTTP methods as a bit mask, for route tables and the Allow header of a
// 405. A constexpr value type: build one from a brace list, test membership in one instruction.
// Thread-safety: an immutable value.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>

#include "common/http/request.hpp"

namespace common::http {

class MethodSet {
 public:
  constexpr MethodSet() = default;
  constexpr MethodSet(std::initializer_list<Method> methods) {
    for (const Method method : methods) bits_ |= bit(method);
  }

  // True when `method` is in the set.
  constexpr bool contains(Method method) const noexcept { return (bits_ & bit(method)) != 0; }
  constexpr bool empty() const noexcept { return bits_ == 0; }
  constexpr bool operator==(const MethodSet&) const = default;
  // The union of both sets.
  constexpr MethodSet& operator|=(MethodSet other) noexcept {
    bits_ |= other.bits_;
    return *this;
  }
  constexpr bool overlaps(MethodSet other) const noexcept { return (bits_ & other.bits_) != 0; }

  // The members in Method order, comma-separated as an Allow header wants ("GET, HEAD").
  std::string to_allow_header() const;

 private:
  static constexpr std::uint16_t bit(Method method) noexcept {
    return static_cast<std::uint16_t>(1u << static_cast<unsigned>(method));
  }
  std::uint16_t bits_ = 0;
};

}  // namespace common::http
