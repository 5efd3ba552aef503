// openssl_error(): the single place where OpenSSL's thread-local error queue becomes an
// Error (as posix_error() is for errno). It drains the queue, so a later call does not
// report a stale reason. Thread-safety: the queue is per thread; safe from any thread.
#pragma once

#include <string>

#include "common/result.hpp"

namespace common::crypto {

// Error of kind `code` with `message`; the detail holds the reasons OpenSSL queued
// ("error:…" lines joined by "; "), and the queue is left empty.
Error openssl_error(ErrorCode code, std::string message);

// Empties the calling thread's OpenSSL error queue (after a failure that is expected and
// answered without openssl_error(), so its reasons do not leak into a later error).
void clear_openssl_errors() noexcept;

}  // namespace common::crypto
