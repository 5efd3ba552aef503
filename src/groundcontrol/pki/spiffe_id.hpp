// SPIFFE IDs as the CA writes them into a certificate's URI SAN: the SPIFFE ID spec's
// grammar ("spiffe://" trust-domain path), with a non-empty path because the certificates
// name workloads (satellites), never a whole trust domain. Thread-safety: a pure function.
#pragma once

#include <cstddef>
#include <string_view>

#include "common/result.hpp"

namespace groundcontrol::pki {

// Longest SPIFFE ID accepted, in bytes (the spec's bound for URI SANs).
inline constexpr std::size_t kMaxSpiffeIdBytes = 2048;

// OK when `id` is "spiffe://" + trust domain ([a-z0-9._-], 1-255) + one or more "/segment"
// ([A-Za-z0-9._-]+, not "." or ".."), with no trailing '/', query, fragment, port or user
// info; kInvalidArgument (saying which rule failed) otherwise.
[[nodiscard]] common::Status validate_spiffe_id(std::string_view id);

}  // namespace groundcontrol::pki
