// gcctl's exit codes (docs/cli.md): every failure a user can cause ends the process with one
// line on stderr and one of these. The error's code decides: exit_code_for() is the only
// place that maps a common::ErrorCode to an exit code. Pure functions.
#pragma once

#include "common/error_code.hpp"

namespace cli {

enum class ExitCode : int {
  kOk = 0,
  kGeneral = 1,      // the server refused or failed (403, a 5xx but 503, …), or anything else
  kUsage = 2,        // a bad flag, argument or input file; a 400 from the server
  kUnreachable = 3,  // no connection, TLS not trusted, a transfer that timed out, a 503
  kNotLoggedIn = 4,  // no context, no token, or the server answered 401 (expired, logged out)
  kConflict = 5,     // 409: the resource changed since it was read, or exists already
  kNotFound = 6,     // 404
  kTimeout = 7,      // `gcctl wait` gave up
};

// The exit code for a failure of `code`. The management client turns every transport
// failure and a 503 into kUnavailable, so kUnavailable means "unreachable" here: either way
// ground control cannot serve now, and a script may retry.
[[nodiscard]] ExitCode exit_code_for(common::ErrorCode code) noexcept;

}  // namespace cli
