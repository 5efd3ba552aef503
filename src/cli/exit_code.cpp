#include "cli/exit_code.hpp"

namespace cli {

ExitCode exit_code_for(common::ErrorCode code) noexcept {
  using common::ErrorCode;
  switch (code) {
    case ErrorCode::kInvalidArgument:
    case ErrorCode::kTooLarge:
      return ExitCode::kUsage;
    case ErrorCode::kUnavailable:
      return ExitCode::kUnreachable;
    case ErrorCode::kUnauthenticated:
      return ExitCode::kNotLoggedIn;
    case ErrorCode::kConflict:
    case ErrorCode::kAlreadyExists:
      return ExitCode::kConflict;
    case ErrorCode::kNotFound:
      return ExitCode::kNotFound;
    case ErrorCode::kTimeout:
      return ExitCode::kTimeout;
    default:
      return ExitCode::kGeneral;
  }
}

}  // namespace cli
