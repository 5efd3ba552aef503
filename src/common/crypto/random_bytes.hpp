// random_bytes(): bytes from the operating system's CSPRNG (libsodium's randombytes_buf,
// getrandom(2) underneath), for keys, nonces, tokens and serial numbers. Never blocks once
// the kernel's pool is initialised. Thread-safety: safe from any thread.
#pragma once

#include <cstddef>
#include <string>

namespace common::crypto {

// `n` random bytes. Cannot fail: a process without a working random source is stopped
// (std::abort) rather than handed predictable bytes.
std::string random_bytes(std::size_t n);

}  // namespace common::crypto
