// sodium_ready(): libsodium's one-time initialisation, for every file of common::crypto that
// calls it. sodium_init() is idempotent and thread-safe; this only adds the failure path.
#pragma once

#include <sodium.h>

#include <cstdlib>

namespace common::crypto::detail {

// Initialises libsodium if needed. Its failure means the process has no usable random
// source (no getrandom, no /dev/urandom): nothing cryptographic can run, so the process
// stops rather than go on with weak secrets.
inline void sodium_ready() noexcept {
  if (sodium_init() < 0) std::abort();
}

}  // namespace common::crypto::detail
