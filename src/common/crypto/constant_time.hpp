// constant_time_equal(): comparison of secrets (token digests, MACs) whose running time
// does not depend on where the inputs first differ. Lengths are not secret: inputs of
// different lengths compare unequal at once. Thread-safety: a pure function.
#pragma once

#include <string_view>

namespace common::crypto {

// True when `a` and `b` hold the same bytes; time depends only on the length.
bool constant_time_equal(std::string_view a, std::string_view b) noexcept;

}  // namespace common::crypto
